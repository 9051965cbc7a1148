// Public surface of the formats layer: pure encoders, parsers and verifiers of signed documents.
export {
  envelopeFromJsonObject,
  envelopeToJson,
  parseEnvelope,
  preAuthEncoding,
  signEnvelope,
  verifyEnvelope,
  type Envelope,
  type EnvelopeSignature,
  type ParseEnvelopeOptions,
  type VerifiedEnvelope,
  type VerifyEnvelopeOptions,
} from './dsse.js';
export {
  IN_TOTO_PAYLOAD_TYPE,
  STATEMENT_TYPE_V01,
  STATEMENT_TYPE_V1,
  buildStatement,
  isTypeUri,
  parseStatement,
  statementCoversDigest,
  statementFromJson,
  statementToBytes,
  type BuildStatementInput,
  type ParseStatementOptions,
  type Statement,
  type StatementType,
  type Subject,
} from './intoto.js';
export { PREDICATE_TYPE_ALIASES, isPredicateTypeAlias, resolvePredicateType, type PredicateTypeAlias } from './predicate-types.js';
export {
  COSIGN_SIGNATURE_TYPE,
  buildSimpleSigningPayload,
  parseSimpleSigningPayload,
  type ParseSimpleSigningOptions,
  type SimpleSigningPayload,
} from './simple-signing.js';
export { goJsonMarshal } from './go-json.js';
export {
  BUNDLE_V03_MEDIA_TYPE,
  buildDsseBundle,
  buildMessageSignatureBundle,
  bundleFromJsonObject,
  bundleToJsonObject,
  dsseEnvelopeOfBundle,
  parseBundle,
  serializeBundle,
  type Bundle,
  type MessageSignatureBundleInput,
  type ParseBundleOptions,
} from './bundle.js';
export { BUNDLE_MEDIA_TYPES } from './bundle-schema.js';
export { TRUSTED_ROOT_MEDIA_TYPES, emptyTrustedRoot, parseTrustedRoot, type TrustedRoot } from './trusted-root.js';
export {
  anchoredRegExp,
  compileIdentityPolicy,
  isIdentityPolicyEmpty,
  type IdentityMatcher,
  type IdentityPolicy,
  type SignerIdentity,
} from './identity.js';
export {
  verifyBundle,
  type VerifiedBundle,
  type VerifiedContent,
  type VerifiedSigner,
  type VerifyBundleInput,
} from './bundle-verify.js';
export {
  ECOSYSTEMS,
  assertSbomInput,
  imagePurl,
  inventoryFromLayers,
  isUtcTimestamp,
  orderPackages,
  resolveDependencies,
  type AttributedPackage,
  type BuildEnvironment,
  type Ecosystem,
  type ImageInfo,
  type LayerPackages,
  type LayerRecord,
  type LayerRef,
  type Package,
  type PackageUpgrade,
  type Platform,
} from './sbom-package.js';
export {
  PROVENANT_BUILD_TYPE,
  SLSA_PROVENANCE_V1,
  buildSlsaProvenance,
  parseSlsaProvenance,
  slsaProvenanceFromJson,
  type ResourceDescriptor,
  type SlsaBuildInput,
  type SlsaBuilder,
  type SlsaMetadata,
  type SlsaProvenance,
} from './slsa-provenance.js';
export {
  LAYERS_PREDICATE_TYPE,
  buildLayersPredicate,
  layersPredicateFromJson,
  parseLayersPredicate,
  type LayersPredicate,
  type LayersPredicateInput,
  type PredicateLayer,
  type PredicatePackage,
} from './layers-predicate.js';
export { CYCLONEDX_PROPERTIES, CYCLONEDX_SPEC_VERSION, buildCycloneDx, type CycloneDxInput } from './cyclonedx.js';
export {
  KNOWN_SPDX_IDS,
  SPDX_IMAGE_ID,
  buildSpdx,
  interpretLicenses,
  type DeclaredLicenses,
  type LicenseTerm,
  type SpdxInput,
} from './spdx.js';
