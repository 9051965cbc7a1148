// The value shapes of policy documents: names, durations, instants, Kubernetes names, labels and quantities.
import { isUtcTimestamp } from '../../formats/sbom-package.js';
import { parseQuantity } from '../evaluate/kubernetes-quantity.js';
import { failAt } from './failure.js';
import { text, type TextRule } from './read-fields.js';
import type { YamlNode } from './yaml-tree.js';

export const MAX_POLICY_NAME_LENGTH = 253;

/**
 * A policy (and rule) name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit,
 * at most 253 characters, as a Kubernetes object name (DNS-1123 subdomain), so a ClusterImagePolicy keeps its own.
 */
export const POLICY_NAME = /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$/;

export function isPolicyName(name: unknown): name is string {
  return typeof name === 'string' && POLICY_NAME.test(name);
}

export const NAME_RULE: TextRule = {
  max: MAX_POLICY_NAME_LENGTH,
  pattern: POLICY_NAME,
  shape: 'a name of lower-case letters, digits, "-" and "." that starts and ends with a letter or digit',
};

/** RFC 1123 label: a namespace name. */
export const DNS_LABEL_RULE: TextRule = { max: 63, pattern: /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/, shape: 'a DNS-1123 label (a namespace name)' };
/** RFC 1123 subdomain: a RuntimeClass name. */
export const DNS_SUBDOMAIN_RULE: TextRule = { max: 253, pattern: POLICY_NAME, shape: 'a DNS-1123 subdomain' };

// k8s.io/apimachinery validation: a qualified name is an optional DNS subdomain prefix and "/", then a name of
// at most 63 characters; label values are such names or empty.
const LABEL_NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
export const LABEL_KEY_RULE: TextRule = {
  max: 253 + 1 + 63,
  pattern: new RegExp(`^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?${LABEL_NAME}$`),
  shape: 'a label key ([prefix/]name)',
};
export const LABEL_VALUE_RULE: TextRule = { min: 0, max: 63, pattern: new RegExp(`^(?:${LABEL_NAME})?$`), shape: 'a label value' };

/** A workload kind as Kubernetes spells it: "Pod", "Deployment", "CronJob". */
export const KIND_RULE: TextRule = { max: 63, pattern: /^[A-Z][A-Za-z0-9]*$/, shape: 'a Kubernetes kind such as Pod or Deployment' };

// A registry host as a reference names it (distribution/reference domain): host names or an IPv6 literal, and a port.
const HOST_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
export const REGISTRY_RULE: TextRule = {
  max: 255,
  pattern: new RegExp(`^(?:${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`),
  shape: 'a registry host such as "ghcr.io" or "localhost:5000"',
};

/** Identifiers of vulnerabilities (CVE-2024-1234, GHSA-xxxx-xxxx-xxxx, DSA-5139-1, ...). */
export const VULNERABILITY_ID_RULE: TextRule = { max: 128, pattern: /^[A-Za-z0-9][A-Za-z0-9._:-]*$/, shape: 'a vulnerability id such as CVE-2024-3094' };

/** A hundred years: far above any sensible age limit, far below where seconds stop being exact. */
const MAX_DURATION_SECONDS = 100 * 365 * 86_400;
const DURATION_RE = /^(?:(\d{1,6})d)?(?:(\d{1,7})h)?(?:(\d{1,9})m)?(?:(\d{1,10})s)?$/;

/**
 * A duration in seconds: Go's notation in whole units, largest first ("720h", "90m", "1h30m", "45s"), plus days
 * ("30d", "1d12h"). Fractions and Go's ms/us/ns are refused: ages are counted in seconds.
 */
export function duration(node: YamlNode): number {
  const value = text(node, { max: 64 });
  const m = DURATION_RE.exec(value);
  if (m === null) failAt(node, `${JSON.stringify(value)} is not a duration such as "720h", "90m", "1h30m" or "30d"`);
  const [d, h, min, s] = m!.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [number, number, number, number];
  const seconds = d * 86_400 + h * 3600 + min * 60 + s;
  if (seconds === 0) failAt(node, 'must be longer than zero');
  if (seconds > MAX_DURATION_SECONDS) failAt(node, `must be at most ${MAX_DURATION_SECONDS / 86_400} days`);
  return seconds;
}

const INSTANT_RE = /^(\d{4}-\d{2}-\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2})))?$/;

/**
 * A date ("2027-01-01", midnight UTC) or an RFC 3339 date-time with an offset, as the RFC 3339 UTC instant it names
 * ("2024-06-01T10:00:00+02:00" is "2024-06-01T08:00:00Z"), with milliseconds only when they are not zero.
 */
export function instant(node: YamlNode): string {
  const value = text(node, { max: 64 });
  const m = INSTANT_RE.exec(value);
  const bad = (): never => failAt(node, `${JSON.stringify(value)} is not a date (2027-01-01) or an RFC 3339 date-time (2027-01-01T12:00:00Z)`);
  if (m === null || !isUtcTimestamp(`${m[1]}T00:00:00Z`)) return bad();
  const [, , hour, minute, second, , offsetHour, offsetMinute] = m.map((part) => (part === undefined ? 0 : Number(part))) as number[];
  if (hour! > 23 || minute! > 59 || second! > 59 || offsetHour! > 23 || offsetMinute! > 59) return bad();
  const ms = Date.parse(m[2] === undefined ? `${m[1]}T00:00:00Z` : value.toUpperCase());
  if (Number.isNaN(ms)) return bad();
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A Kubernetes resource quantity ("500m", "256Mi", "1.5", or a YAML number as in `cpu: 2`) that is not negative. */
export function quantity(node: YamlNode): string {
  const value = node.kind === 'scalar' && typeof node.value === 'number' ? String(node.value) : text(node, { max: 64 });
  const q = parseQuantity(value);
  if (q === undefined) failAt(node, `${JSON.stringify(value)} is not a Kubernetes quantity such as "500m" or "256Mi"`);
  if (q!.digits < 0n) failAt(node, 'must not be negative');
  return value;
}
