// The chain rules of a lineage line over its verified, trusted records: sequence 1 starts it with no
// predecessor, and each later record names by entry digest the record with the sequence before its own, which
// the log holds at a lower index. Everything else is a gap, a fork or a broken link.
import type { Digest } from '../../core/digest.js';
import type { LineageProblem } from './line-history.js';

export interface ChainLink {
  readonly index: bigint;
  readonly sequence: number;
  readonly entryDigest: Digest;
  readonly previous: Digest | null;
}

/** Problems of the chain formed by `links` (any order). */
export function chainProblems(links: readonly ChainLink[]): LineageProblem[] {
  const sorted = [...links].sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
  const problems: LineageProblem[] = [];
  const bySequence = new Map<number, ChainLink>();
  const byPrevious = new Map<Digest, ChainLink>();
  const byDigest = new Map<Digest, ChainLink>();
  for (const link of sorted) byDigest.set(link.entryDigest, link);

  for (const link of sorted) {
    const sameSequence = bySequence.get(link.sequence);
    const sameParent = link.previous === null ? undefined : byPrevious.get(link.previous);
    const rival = sameSequence ?? sameParent;
    if (rival !== undefined) {
      problems.push(problem('LINEAGE_FORK', link, `sequence ${link.sequence} forks the line: index ${rival.index} already continues ${sameSequence !== undefined ? `sequence ${link.sequence}` : 'the same predecessor'}`));
    }
    if (sameSequence === undefined) bySequence.set(link.sequence, link);
    if (link.previous !== null && sameParent === undefined) byPrevious.set(link.previous, link);
  }

  for (const link of sorted) {
    const message = brokenLink(link, byDigest, bySequence);
    if (message !== undefined) problems.push(problem('LINEAGE_BROKEN_LINK', link, message));
  }

  let expected = 1;
  for (const sequence of [...bySequence.keys()].sort((a, b) => a - b)) {
    if (sequence > expected) {
      const next = bySequence.get(sequence) as ChainLink;
      const missing = sequence - 1 === expected ? `sequence ${expected} is` : `sequences ${expected} to ${sequence - 1} are`;
      problems.push({ code: 'LINEAGE_GAP', index: next.index, sequence: expected, message: `${missing} missing before index ${next.index}` });
    }
    expected = sequence + 1;
  }
  return problems;
}

function brokenLink(link: ChainLink, byDigest: ReadonlyMap<Digest, ChainLink>, bySequence: ReadonlyMap<number, ChainLink>): string | undefined {
  if (link.previous === null) return link.sequence === 1 ? undefined : `sequence ${link.sequence} names no predecessor`;
  if (link.sequence === 1) return 'sequence 1 names a predecessor';
  const predecessor = byDigest.get(link.previous);
  if (predecessor === undefined) {
    // With no record of sequence - 1 at all the gap says it; a link to nothing beside an existing one is broken.
    return bySequence.has(link.sequence - 1) ? `previous ${link.previous} names no record of the line` : undefined;
  }
  if (predecessor.sequence !== link.sequence - 1) return `previous names the record of sequence ${predecessor.sequence}, not ${link.sequence - 1}`;
  if (predecessor.index >= link.index) return `previous names index ${predecessor.index}, appended after this record`;
  return undefined;
}

function problem(code: LineageProblem['code'], link: ChainLink, message: string): LineageProblem {
  return { code, index: link.index, sequence: link.sequence, message };
}
