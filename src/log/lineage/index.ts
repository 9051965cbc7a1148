// Lineage lines: chains of signed records in the log, each naming its predecessor by entry digest.
export { lineHistory, nextLineageLink } from './history.js';
export { checkLineage } from './check-lineage.js';
export type { UnreadableEntry } from './check-lineage.js';
export type { AuditView, LineageProblem, LineageProblemCode, LineageRecordView, LineHistory, LineHistoryOptions } from './line-history.js';
