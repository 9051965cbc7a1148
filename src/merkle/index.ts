// RFC 6962 / RFC 9162 §2.1 Merkle trees: hashing, node addressing, proof planning over caller-owned storage of
// complete subtrees, proof verification, and an incremental builder. Pure: no I/O, no storage of its own.
export { HASH_SIZE, emptyRoot, leafHash, nodeHash } from './hasher.js';
export { MAX_U64, type TreeIndex } from './bits.js';
export { MAX_LEVEL, coverage, nodeId, nodeKey, parent, rangeNodes, sameNode, sibling, type NodeId } from './node-id.js';
export { planConsistency, planInclusion, rehash, type EphemeralNode, type ProofPlan } from './proof-plan.js';
export { rootFromConsistencyProof, rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify.js';
export { CompactRange, frontierIds, rootFromFrontier, type CompletedNode } from './compact-range.js';
