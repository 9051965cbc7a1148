// A score and its explanation as JSON, the same for `provenant reputation show --json` and the HTTP API. Log indices
// are decimal strings: they are unsigned 64-bit, beyond what a JSON number holds exactly.
import type { ProviderReputation } from './score.js';

export interface ReputationJson {
  provider: string;
  at: string;
  halfLifeDays: number;
  score: number;
  positive: number;
  negative: number;
  events: { logIndex: string; entryDigest: string; type: string; r: number; s: number; weight: number; contribution: number; reason: string }[];
  ignored: { logIndex: string; entryDigest?: string; reason: string }[];
}

export function reputationJson(rep: ProviderReputation): ReputationJson {
  return {
    provider: rep.provider,
    at: rep.at,
    halfLifeDays: rep.halfLifeDays,
    score: rep.score,
    positive: rep.positive,
    negative: rep.negative,
    events: rep.events.map((e) => ({ ...e, logIndex: e.logIndex.toString() })),
    ignored: rep.ignored.map((i) => ({ ...i, logIndex: i.logIndex.toString() })),
  };
}
