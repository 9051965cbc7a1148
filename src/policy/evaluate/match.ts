// Whether a policy applies to a request: every criterion it gives must hold. Images match when a glob matches
// the reference as asked or `registry/repository@digest`; namespaces need a request in one of them (a request
// without a namespace matches no namespace list); the namespace selector has Kubernetes label-selector meaning
// over the namespace's labels (none when the request has no namespace); kinds need the workload kind.
import type { RequestContext } from '../decision.js';
import type { ImageRef } from '../facts.js';
import type { LabelSelector, PolicyMatch } from '../policy.js';

export interface MatchResult {
  readonly matched: boolean;
  readonly reason: string;
}

export function matchPolicy(match: PolicyMatch, image: ImageRef, request: RequestContext): MatchResult {
  const byDigest = `${image.registry}/${image.repository}@${image.digest}`;
  const said: string[] = [];
  if (match.images.length > 0) {
    const glob = match.images.find((g) => g.matchesImage(image.reference) || g.matchesImage(byDigest));
    if (glob === undefined) return no(`image ${image.reference} matches none of ${match.images.map((g) => g.pattern).join(', ')}`);
    said.push(`image matches ${glob.pattern}`);
  }
  if (match.registries.length > 0) {
    if (!match.registries.includes(image.registry)) return no(`registry ${image.registry} is not one of ${match.registries.join(', ')}`);
    said.push(`registry ${image.registry}`);
  }
  if (match.namespaces.length > 0) {
    if (request.namespace === undefined) return no(`the request has no namespace; the policy applies to ${match.namespaces.join(', ')}`);
    if (!match.namespaces.includes(request.namespace)) return no(`namespace ${request.namespace} is not one of ${match.namespaces.join(', ')}`);
    said.push(`namespace ${request.namespace}`);
  }
  if (match.namespaceSelector !== undefined) {
    const failed = selectorFailure(match.namespaceSelector, request.namespaceLabels ?? {});
    if (failed !== undefined) return no(`namespace labels do not match the selector: ${failed}`);
    said.push('namespace labels match the selector');
  }
  if (match.kinds.length > 0) {
    if (request.kind === undefined) return no(`the request names no workload kind; the policy applies to ${match.kinds.join(', ')}`);
    if (!match.kinds.includes(request.kind)) return no(`kind ${request.kind} is not one of ${match.kinds.join(', ')}`);
    said.push(`kind ${request.kind}`);
  }
  return { matched: true, reason: said.length === 0 ? 'the policy applies to every image' : said.join(', ') };
}

function no(reason: string): MatchResult {
  return { matched: false, reason };
}

/** The first requirement of a Kubernetes label selector the labels break, or undefined when they satisfy it. */
export function selectorFailure(selector: LabelSelector, labels: Readonly<Record<string, string>>): string | undefined {
  const has = (key: string): boolean => Object.hasOwn(labels, key);
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!has(key) || labels[key] !== value) return `${key}=${value} (found ${has(key) ? labels[key] : 'no such label'})`;
  }
  for (const { key, operator, values } of selector.matchExpressions) {
    switch (operator) {
      case 'In':
        if (!has(key) || !values.includes(labels[key]!)) return `${key} in (${values.join(', ')})`;
        break;
      case 'NotIn':
        if (has(key) && values.includes(labels[key]!)) return `${key} notin (${values.join(', ')})`;
        break;
      case 'Exists':
        if (!has(key)) return `${key} exists`;
        break;
      case 'DoesNotExist':
        if (has(key)) return `!${key}`;
        break;
    }
  }
  return undefined;
}
