// Where the service reads a registry that notifications name. Events name the registry as its clients reach it
// (the Host of the push); the service may reach it elsewhere (an internal address, plain HTTP on loopback), so a
// map from the name in events to a base URL can be given. With a map, only the registries it names are read:
// the Host header of a push is the pusher's to choose, and must not make the service connect to arbitrary hosts.
import { ProvenantError } from '../core/errors.js';
import { HttpTransport, RegistryClient, type CredentialSource, type HttpOptions } from '../oci/registry/index.js';
import { validateRegistryHost } from '../oci/registry/names.js';

export interface RegistryTarget {
  /** The registry as events name it (and as observations record it). */
  readonly name: string;
  /** host[:port] the service connects to. */
  readonly host: string;
  readonly scheme: 'http' | 'https' | undefined;
}

export interface RegistryTargetsOptions {
  /** Registry name in events (host[:port], lowercase) to the base URL to read it at, e.g. "http://registry:5000". */
  readonly registryHosts?: Readonly<Record<string, string>>;
  readonly credentials?: CredentialSource;
  readonly http?: HttpOptions;
}

// The ingest retries a whole examination itself; the transport's own retries are kept short so a dead registry
// fails an attempt in seconds, not minutes.
const DEFAULT_HTTP: HttpOptions = { connectTimeoutMs: 5_000, responseTimeoutMs: 15_000, retry: { maxAttempts: 2, maxTotalMs: 5_000 } };

export class RegistryTargets {
  private readonly mapped: Map<string, RegistryTarget> | undefined;
  private readonly transports = new Map<string, HttpTransport>();

  /** Errors: USAGE for a map entry that is not a registry name and an http(s) URL without path, query or credentials. */
  constructor(private readonly options: RegistryTargetsOptions = {}) {
    if (options.registryHosts === undefined) return;
    this.mapped = new Map();
    for (const [name, url] of Object.entries(options.registryHosts)) {
      const key = name.toLowerCase();
      this.mapped.set(key, { name: key, ...parseBaseUrl(name, url) });
    }
  }

  /** The target for a registry named in events, or undefined when the map does not allow it. */
  resolve(name: string): RegistryTarget | undefined {
    const key = name.toLowerCase();
    if (this.mapped !== undefined) return this.mapped.get(key);
    return { name: key, host: key, scheme: undefined };
  }

  client(target: RegistryTarget, repository: string): RegistryClient {
    const transportKey = `${target.scheme ?? ''}://${target.host}`;
    let transport = this.transports.get(transportKey);
    if (transport === undefined) {
      transport = new HttpTransport({ ...DEFAULT_HTTP, ...this.options.http });
      this.transports.set(transportKey, transport);
    }
    return new RegistryClient({
      registry: target.host,
      repository,
      httpTransport: transport,
      ...(target.scheme === undefined ? {} : { scheme: target.scheme }),
      ...(this.options.credentials === undefined ? {} : { credentials: this.options.credentials }),
    });
  }

  close(): void {
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
  }
}

function parseBaseUrl(name: string, url: string): { host: string; scheme: 'http' | 'https' } {
  const fail = (why: string): never => {
    throw new ProvenantError('USAGE', `registryHosts[${JSON.stringify(name)}] ${why}`, { details: { name } });
  };
  try {
    validateRegistryHost(name);
  } catch {
    fail('is not a registry host[:port]');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(`is not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail('must be an http or https URL');
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '' || (parsed.pathname !== '/' && parsed.pathname !== '')) {
    fail('must be a base URL with no path, query or credentials');
  }
  return { host: parsed.host, scheme: parsed.protocol === 'http:' ? 'http' : 'https' };
}
