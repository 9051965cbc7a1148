// Provider reputation: events recorded in the transparency log, scored with decay, every score explained by its
// events. docs/reputation.md describes the model for users.
export {
  REPUTATION_EVENT_PREDICATE_TYPE,
  REPUTATION_EVENT_TYPES,
  SEVERITIES,
  AUDIT_OUTCOMES,
  parseReputationEvent,
  reputationEventJson,
} from './events.js';
export type { ReputationEvent, ReputationEventType, Severity, AuditOutcome } from './events.js';
export { proposeReputationEvent, signReputationEvent, reputationStatementBytes, readReputationStatement } from './event-statement.js';
export { parseProvider, providerSubjectDigest, namespaceProvider, keyProvider, identityProvider, providersOf } from './providers.js';
export type { Provider, ProviderKind } from './providers.js';
export { scoreProvider, DEFAULT_HALF_LIFE_DAYS, EVIDENCE } from './score.js';
export type { RecordedEvent, ScoreOptions, EvidenceLine, IgnoredEvent, ProviderReputation } from './score.js';
export { ReputationBook, DEFAULT_MAX_EVENTS } from './reputation-book.js';
export type { ReputationBookOptions, ProviderEvents } from './reputation-book.js';
export { reputationJson } from './reputation-json.js';
