// Registry credentials from the files Docker and skopeo use. Which file: an explicit auth file (skopeo
// --authfile), else $REGISTRY_AUTH_FILE (containers-auth.json), else $DOCKER_CONFIG/config.json, else
// ~/.docker/config.json. Which entry, as Docker does: credHelpers[registry], else credsStore, else "auths".
// Keys are matched after normalising: a scheme ("https://host/v1/") reduces the key to its host, the
// Docker Hub aliases are one, and (containers-auth.json) "host/namespace" keys match repositories below them.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ProvenantError, isProvenantError } from '../../core/errors.js';
import { decodeBase64 } from '../../core/bytes.js';
import { isJsonObject, parseJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { CredentialSource, Credentials } from './auth.js';
import { isValidHelperName, runCredentialHelper, type CredentialHelperOptions } from './credential-helper.js';
import { isDockerHub } from './names.js';

export interface DockerConfigSources {
  /** An explicit containers-auth.json / config.json (skopeo --authfile); it must exist. */
  authFile?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

export interface DockerConfig {
  path: string;
  /** Normalised key → credentials (undefined for entries such as "{}" that only mark a login). */
  auths: Array<{ key: string; credentials: Credentials | undefined }>;
  credHelpers: Array<{ key: string; helper: string }>;
  credsStore: string | undefined;
}

export type AuthLookup =
  | { kind: 'credentials'; credentials: Credentials }
  | { kind: 'helper'; helper: string; serverUrl: string };

const MAX_CONFIG_BYTES = 1024 * 1024;
const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

export function configPath(sources: DockerConfigSources = {}): { path: string; required: boolean } {
  const env = sources.env ?? process.env;
  if (sources.authFile !== undefined) return { path: sources.authFile, required: true };
  if (env.REGISTRY_AUTH_FILE) return { path: env.REGISTRY_AUTH_FILE, required: true };
  if (env.DOCKER_CONFIG) return { path: join(env.DOCKER_CONFIG, 'config.json'), required: false };
  return { path: join(sources.homeDir ?? homedir(), '.docker', 'config.json'), required: false };
}

/** Loads the config file; undefined when the default file does not exist. */
export async function loadDockerConfig(sources: DockerConfigSources = {}): Promise<DockerConfig | undefined> {
  const { path, required } = configPath(sources);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    if (code === 'ENOENT') throw new ProvenantError('FILE_NOT_FOUND', `auth file ${path} does not exist`, { cause: e });
    throw new ProvenantError('IO_ERROR', `cannot read ${path}`, { cause: e });
  }
  if (bytes.length > MAX_CONFIG_BYTES) throw new ProvenantError('INPUT_TOO_LARGE', `${path} is larger than 1 MiB`);
  return parseDockerConfig(bytes, path);
}

/** Parses config.json / containers-auth.json text. Errors: DOCKER_CONFIG_INVALID. */
export function parseDockerConfig(text: string | Uint8Array, path = 'config.json'): DockerConfig {
  const invalid = (reason: string, cause?: unknown) => new ProvenantError('DOCKER_CONFIG_INVALID', `${path}: ${reason}`, { cause });
  let doc: JsonObject;
  try {
    doc = parseJsonObject(text, path, { maxDepth: 32 });
  } catch (cause) {
    throw invalid('not a JSON object', cause);
  }
  const auths = objectField(doc, 'auths', invalid);
  const helpers = objectField(doc, 'credHelpers', invalid);
  const store = doc.credsStore;
  if (store !== undefined && (typeof store !== 'string' || (store !== '' && !isValidHelperName(store)))) throw invalid('credsStore is not a helper name');
  return {
    path,
    auths: Object.entries(auths).map(([key, entry]) => ({ key: normalizeKey(key), credentials: entryCredentials(entry, key, invalid) })),
    credHelpers: Object.entries(helpers).map(([key, helper]) => {
      if (typeof helper !== 'string' || !isValidHelperName(helper)) throw invalid(`credHelpers[${JSON.stringify(key)}] is not a helper name`);
      return { key: normalizeKey(key), helper };
    }),
    credsStore: store === '' ? undefined : store,
  };
}

function objectField(doc: JsonObject, name: string, invalid: (r: string) => ProvenantError): JsonObject {
  const value = doc[name];
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw invalid(`"${name}" is not an object`);
  return value;
}

function entryCredentials(entry: JsonValue, key: string, invalid: (r: string, c?: unknown) => ProvenantError): Credentials | undefined {
  const where = `auths[${JSON.stringify(key)}]`;
  if (!isJsonObject(entry)) throw invalid(`${where} is not an object`);
  for (const field of ['auth', 'username', 'password', 'identitytoken'] as const) {
    if (entry[field] !== undefined && typeof entry[field] !== 'string') throw invalid(`${where}.${field} is not a string`);
  }
  const { auth, username, password, identitytoken } = entry as Record<string, string | undefined>;
  if (identitytoken) return { kind: 'identityToken', token: identitytoken };
  if (auth) {
    let decoded: string;
    try {
      decoded = new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64(auth, `${where}.auth`));
    } catch (cause) {
      throw invalid(`${where}.auth is not base64 of UTF-8 "user:password"`, cause);
    }
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw invalid(`${where}.auth does not decode to "user:password"`);
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (username) return { kind: 'basic', username, password: password ?? '' };
  return undefined;
}

/** A key or registry name in the form keys are compared in: host[:port][/path], Docker Hub as "docker.io". */
export function normalizeKey(key: string): string {
  let k = key.trim();
  const scheme = /^https?:\/\//i.exec(k);
  // Keys with a scheme are Docker's legacy URLs ("https://index.docker.io/v1/"): only the host counts.
  if (scheme !== null) k = k.slice(scheme[0].length).split('/')[0] ?? '';
  k = k.replace(/\/+$/, '');
  const slash = k.indexOf('/');
  const host = (slash === -1 ? k : k.slice(0, slash)).toLowerCase();
  const rest = slash === -1 ? '' : k.slice(slash);
  return `${isDockerHub(host) ? 'docker.io' : host}${rest}`;
}

/** What the config says for `registry` (and, for namespace-scoped keys, `repository`). */
export function lookupAuth(config: DockerConfig, registry: string, repository?: string): AuthLookup | undefined {
  const host = normalizeKey(registry);
  const serverUrl = host === 'docker.io' ? DOCKER_HUB_SERVER : registry;
  const helper = config.credHelpers.find((h) => h.key === host)?.helper;
  if (helper !== undefined) return { kind: 'helper', helper, serverUrl };
  if (config.credsStore !== undefined) return { kind: 'helper', helper: config.credsStore, serverUrl };
  const candidates: string[] = [];
  if (repository !== undefined) {
    const parts = repository.split('/');
    for (let n = parts.length; n >= 1; n--) candidates.push(`${host}/${parts.slice(0, n).join('/')}`);
  }
  candidates.push(host);
  for (const candidate of candidates) {
    const entry = config.auths.find((a) => a.key === candidate && a.credentials !== undefined);
    if (entry?.credentials !== undefined) return { kind: 'credentials', credentials: entry.credentials };
  }
  return undefined;
}

/**
 * A CredentialSource reading the config lazily: the file is read and a helper run only when a registry
 * asks for credentials.
 */
export function dockerConfigCredentials(sources: DockerConfigSources = {}, helper: CredentialHelperOptions = {}): CredentialSource {
  return async (registry: string, repository?: string) => {
    const config = await loadDockerConfig(sources);
    if (config === undefined) return undefined;
    const found = lookupAuth(config, registry, repository);
    if (found === undefined) return undefined;
    switch (found.kind) {
      case 'credentials':
        return found.credentials;
      case 'helper':
        try {
          return await runCredentialHelper(found.helper, found.serverUrl, { env: sources.env ?? process.env, ...helper });
        } catch (e) {
          throw isProvenantError(e) ? e : new ProvenantError('CREDENTIAL_HELPER_FAILED', String(e), { cause: e });
        }
    }
  };
}
