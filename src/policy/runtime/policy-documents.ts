// The policies of a YAML text paired with the source text of the document each came from, since every policy is
// versioned (and re-read from the log) on its own. The whole text is validated first, so an error names its line
// in the text as given; each document's text is then cut from the concrete syntax tree, exactly as written
// (comments included), and read again on its own to pair it with its policy by origin digest.
import { CST, Parser } from 'yaml';
import { ProvenantError } from '../../core/errors.js';
import { parsePolicyDocuments } from '../document/index.js';
import type { Policy } from '../policy.js';

export interface PolicyDocument {
  readonly policy: Policy;
  /** The YAML text of the one document the policy was read from. */
  readonly text: string;
}

/** Errors: POLICY_INVALID (with line, column and field), POLICY_UNSUPPORTED. */
export function policyDocuments(yamlText: string, origin?: string): PolicyDocument[] {
  const policies = parsePolicyDocuments(yamlText, origin);
  const byDigest = new Map<string, string>();
  for (const text of documentTexts(yamlText)) {
    for (const p of parsePolicyDocuments(text, origin)) byDigest.set(p.origin.digest, text);
  }
  return policies.map((policy) => {
    const text = byDigest.get(policy.origin.digest);
    if (text === undefined) throw new ProvenantError('INTERNAL', `the document of policy ${policy.name} could not be cut from its text`);
    return { policy, text };
  });
}

/** One policy read back from the text of its document, as stored in a version. Errors: POLICY_INVALID, POLICY_UNSUPPORTED. */
export function reparsePolicy(document: string): Policy {
  const policies = parsePolicyDocuments(document);
  const [policy, ...rest] = policies;
  if (policy === undefined || rest.length > 0) {
    throw new ProvenantError('POLICY_INVALID', `a stored policy version must hold exactly one policy document, not ${policies.length}`, { details: { field: '' } });
  }
  return policy;
}

/**
 * The source text of each document of a YAML stream: the document with the comments and directives before it
 * and its "..." end marker. Texts of empty documents are included; they parse to no policy.
 */
function documentTexts(text: string): string[] {
  const spans: { start: number; end: number }[] = [];
  let start = 0;
  for (const token of new Parser().parse(text)) {
    const end = token.offset + CST.stringify(token).length;
    if (token.type === 'document') {
      spans.push({ start, end });
      start = end;
    } else if (token.type === 'doc-end') {
      const last = spans[spans.length - 1];
      if (last !== undefined) last.end = end;
      start = end;
    }
  }
  return spans.map((s) => text.slice(s.start, s.end));
}
