export { evaluate } from './evaluate.js';
export { dataVersionOf } from './data-version.js';
export { DecisionCache, DEFAULT_DECISION_CACHE_ENTRIES, decisionKey, decisionKeyOf, type DecisionCacheStats, type DecisionKeyParts } from './decision-cache.js';
export { parseQuantity, compareQuantities, type Quantity } from './kubernetes-quantity.js';
export { mergeSandbox, type SandboxMerge, type SandboxRequest } from './sandbox-merge.js';
