// Public surface of the registry client.
export { RegistryClient, type RegistryClientOptions } from './client.js';
export { RegistryAuth, repositoryScope, type Access, type CredentialSource, type Credentials } from './auth.js';
export { parseWwwAuthenticate, type AuthChallenge } from './challenge.js';
export {
  configPath,
  dockerConfigCredentials,
  loadDockerConfig,
  lookupAuth,
  normalizeKey,
  parseDockerConfig,
  type AuthLookup,
  type DockerConfig,
  type DockerConfigSources,
} from './docker-config.js';
export { runCredentialHelper, type CredentialHelperOptions } from './credential-helper.js';
export { HttpTransport, parseCaBundle, type HttpMethod, type HttpOptions, type HttpRequest, type HttpResponse } from './http.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export { isLoopbackHost, registryEndpoint, type RegistryEndpoint, type Scheme } from './names.js';
export { referrersTag } from './referrers.js';
export { errorForStatus, parseDistributionErrors, type DistributionError } from './registry-errors.js';
export type { ListTagsOptions } from './tags.js';
