// Provider scores: the beta reputation system with forgetting (A. Jøsang and R. Ismail, "The Beta Reputation
// System", 15th Bled Electronic Commerce Conference, 2002, sections 3 and 4). Each event is evidence r (positive)
// and s (negative), weighted by its age; the score is the expected value of the beta distribution over the weighted
// totals, 100 * (R + 1) / (R + S + 2), so a provider with no evidence scores 50. Pure: the same events and instant
// always give the same score, and every number in it is the sum of the lines of its explanation.
import type { Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { isUtcTimestamp } from '../log/entries/strict-object.js';
import type { ReputationEvent, ReputationEventType, Severity } from './events.js';

export const DEFAULT_HALF_LIFE_DAYS = 180;
const DAY_MS = 86_400_000;

/** Every constant of the model; docs/reputation.md shows the same table. */
export const EVIDENCE = {
  /** Negative evidence of a vulnerability, by severity, before the time-to-fix factor. */
  vulnerability: { CRITICAL: 4, HIGH: 2, MEDIUM: 1, LOW: 0.25 } satisfies Record<Severity, number>,
  /** Time to fix (publishedAt to fixedAt) up to `days`: the factor on the vulnerability's evidence. */
  timeToFix: [
    { days: 7, factor: 0.5 },
    { days: 30, factor: 1 },
    { days: 90, factor: 1.5 },
  ],
  /** Fixed later than the last bound, or not fixed at the instant scored. */
  slowOrUnfixed: 2,
  audit: { pass: 2, fail: 3 },
  incident: { CRITICAL: 8, HIGH: 4, MEDIUM: 2, LOW: 1 } satisfies Record<Severity, number>,
  /** Positive evidence of a certification until it expires (it does not decay meanwhile); none after. */
  certification: 3,
} as const;

/** An event as read from the log: where it is, and what it says. */
export interface RecordedEvent {
  readonly logIndex: bigint;
  readonly entryDigest: Digest;
  readonly event: ReputationEvent;
}

export interface ScoreOptions {
  /** The instant scored: events are aged to it, and events after it do not count yet. */
  readonly at: Date | string;
  /** Default 180. */
  readonly halfLifeDays?: number;
}

/** One event's part in the score: weight * r adds to R, weight * s to S. */
export interface EvidenceLine {
  readonly logIndex: bigint;
  readonly entryDigest: Digest;
  readonly type: ReputationEventType;
  readonly r: number;
  readonly s: number;
  /** 0.5 ^ (age in days / half-life); 1 for a certification before it expires. */
  readonly weight: number;
  /** weight * (r - s): positive evidence raises the score, negative lowers it. */
  readonly contribution: number;
  readonly reason: string;
}

export interface IgnoredEvent {
  readonly logIndex: bigint;
  readonly entryDigest?: Digest;
  readonly reason: string;
}

export interface ProviderReputation {
  readonly provider: string;
  /** RFC 3339 UTC. */
  readonly at: string;
  readonly halfLifeDays: number;
  /** 0 to 100; 50 without evidence. */
  readonly score: number;
  /** R: the sum of weight * r over `events`. */
  readonly positive: number;
  /** S: the sum of weight * s over `events`. */
  readonly negative: number;
  /** In log order. */
  readonly events: readonly EvidenceLine[];
  readonly ignored: readonly IgnoredEvent[];
}

/** Scores a provider from its events. Errors: USAGE (a bad instant or half-life). */
export function scoreProvider(provider: string, events: readonly RecordedEvent[], options: ScoreOptions): ProviderReputation {
  const at = instant(options.at);
  const halfLifeDays = options.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS;
  if (!Number.isFinite(halfLifeDays) || halfLifeDays <= 0) {
    throw new ProvenantError('USAGE', `the half-life must be a positive number of days, not ${halfLifeDays}`);
  }
  const ordered = [...events].sort((a, b) => (a.logIndex < b.logIndex ? -1 : a.logIndex > b.logIndex ? 1 : 0));
  const ignored: IgnoredEvent[] = [];
  const current: RecordedEvent[] = [];
  for (const recorded of ordered) {
    const { event } = recorded;
    if (event.provider !== provider) ignore(ignored, recorded, `it is about ${event.provider}, not ${provider}`);
    else if (Date.parse(event.occurredAt) > at.getTime()) ignore(ignored, recorded, `it occurs at ${event.occurredAt}, after ${at.toISOString()}`);
    else current.push(recorded);
  }
  const lines: EvidenceLine[] = [];
  const latest = latestVulnerabilityReports(current);
  for (const recorded of current) {
    const newer = latest.get(vulnerabilityKey(recorded.event));
    if (newer !== undefined && newer !== recorded) {
      ignore(ignored, recorded, `a later report of the same vulnerability (index ${newer.logIndex}) supersedes it`);
      continue;
    }
    lines.push(evidenceLine(recorded, at, halfLifeDays));
  }
  let positive = 0;
  let negative = 0;
  for (const line of lines) {
    positive += line.weight * line.r;
    negative += line.weight * line.s;
  }
  ignored.sort((a, b) => (a.logIndex < b.logIndex ? -1 : a.logIndex > b.logIndex ? 1 : 0));
  return {
    provider,
    at: at.toISOString(),
    halfLifeDays,
    score: (100 * (positive + 1)) / (positive + negative + 2),
    positive,
    negative,
    events: lines,
    ignored,
  };
}

function evidenceLine(recorded: RecordedEvent, at: Date, halfLifeDays: number): EvidenceLine {
  const { event } = recorded;
  const ageDays = (at.getTime() - Date.parse(event.occurredAt)) / DAY_MS;
  const decayed = Math.pow(0.5, ageDays / halfLifeDays);
  const aged = `age ${ageDays.toFixed(1)} d`;
  const line = (r: number, s: number, weight: number, reason: string): EvidenceLine => ({
    logIndex: recorded.logIndex,
    entryDigest: recorded.entryDigest,
    type: event.type,
    r,
    s,
    weight,
    contribution: weight * r - weight * s,
    reason,
  });
  switch (event.type) {
    case 'vulnerability': {
      const base = EVIDENCE.vulnerability[event.severity];
      const { factor, why } = timeToFixFactor(event.publishedAt, event.fixedAt, at);
      return line(0, base * factor, decayed, `${event.vulnerability} ${event.severity} (${base}) ${why} x${factor}; ${aged}`);
    }
    case 'audit':
      return event.result === 'pass'
        ? line(EVIDENCE.audit.pass, 0, decayed, `audit by ${event.auditor} passed; ${aged}`)
        : line(0, EVIDENCE.audit.fail, decayed, `audit by ${event.auditor} failed; ${aged}`);
    case 'incident':
      return line(0, EVIDENCE.incident[event.severity], decayed, `${event.severity} incident: ${event.title}; ${aged}`);
    case 'feedback':
      return line((event.rating - 1) / 4, (5 - event.rating) / 4, decayed, `feedback rated ${event.rating} of 5; ${aged}`);
    case 'certification':
      return at.getTime() < Date.parse(event.expiresAt)
        ? line(EVIDENCE.certification, 0, 1, `certification ${event.name} by ${event.issuer}, valid until ${event.expiresAt} (no decay while valid)`)
        : line(0, 0, 1, `certification ${event.name} by ${event.issuer} expired at ${event.expiresAt}`);
  }
}

function timeToFixFactor(publishedAt: string, fixedAt: string | undefined, at: Date): { factor: number; why: string } {
  if (fixedAt === undefined || Date.parse(fixedAt) > at.getTime()) return { factor: EVIDENCE.slowOrUnfixed, why: 'not fixed' };
  const days = (Date.parse(fixedAt) - Date.parse(publishedAt)) / DAY_MS;
  const bound = EVIDENCE.timeToFix.find((b) => days <= b.days);
  const took = `fixed in ${days.toFixed(1)} d`;
  return bound === undefined ? { factor: EVIDENCE.slowOrUnfixed, why: took } : { factor: bound.factor, why: took };
}

/**
 * A vulnerability is reported again when it gets fixed (the log is append-only, so the first report stays): the
 * latest report, in log order, of each vulnerability and image is the one that counts.
 */
function latestVulnerabilityReports(events: readonly RecordedEvent[]): Map<string, RecordedEvent> {
  const latest = new Map<string, RecordedEvent>();
  for (const recorded of events) {
    const key = vulnerabilityKey(recorded.event);
    if (key !== '') latest.set(key, recorded);
  }
  return latest;
}

function vulnerabilityKey(event: ReputationEvent): string {
  return event.type === 'vulnerability' ? `${event.vulnerability}\u0000${event.image ?? ''}` : '';
}

function ignore(ignored: IgnoredEvent[], recorded: RecordedEvent, reason: string): void {
  ignored.push({ logIndex: recorded.logIndex, entryDigest: recorded.entryDigest, reason });
}

function instant(at: Date | string): Date {
  const date = typeof at === 'string' ? (isUtcTimestamp(at) ? new Date(at) : null) : at;
  if (date === null || Number.isNaN(date.getTime())) {
    throw new ProvenantError('USAGE', `the instant scored must be an RFC 3339 UTC timestamp, not ${JSON.stringify(String(at))}`);
  }
  return date;
}
