// Reading a namespace from the Kubernetes API server, for the labels policies match with `namespaceSelector`
// (an AdmissionReview names the namespace but does not carry its labels). In a pod, the API server and the
// service account's credentials come from the standard in-cluster locations; elsewhere from a URL, a token file
// and a CA file. The token file is read again on every request, so a rotated (bound) token is picked up. Only
// `GET /api/v1/namespaces/{name}` is used; the ClusterRole `provenant k8s manifests` prints grants it.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { ProvenantError } from '../../core/errors.js';
import { isJsonObject, parseJsonObject } from '../../core/json.js';

export interface KubeApiAccess {
  /** "https://host:port". */
  readonly server: string;
  /** The bearer token's file (read on every request); absent: no Authorization header. */
  readonly tokenFile?: string;
  /** PEM bundle the API server's certificate must chain to; absent: the system's roots. */
  readonly ca?: string;
  readonly timeoutMs?: number;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const MAX_NAMESPACE_BYTES = 1024 * 1024;
const MAX_TOKEN_BYTES = 64 * 1024;
/** A namespace name: a DNS-1123 label. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The in-cluster API server and service account (KUBERNETES_SERVICE_HOST/PORT), or undefined outside a pod. */
export async function inClusterAccess(env: NodeJS.ProcessEnv, dir = SERVICE_ACCOUNT_DIR): Promise<KubeApiAccess | undefined> {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || host === '' || port === undefined || port === '') return undefined;
  let ca: string;
  try {
    ca = await readFile(`${dir}/ca.crt`, 'utf8');
  } catch (cause) {
    throw new ProvenantError('CLUSTER_API_UNAVAILABLE', `running in a pod (KUBERNETES_SERVICE_HOST is set) but the service account CA ${dir}/ca.crt cannot be read`, { cause });
  }
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { server, tokenFile: `${dir}/token`, ca };
}

/** The labels of namespace `name`. Errors: CLUSTER_API_UNAVAILABLE (with details.status when the server answered). */
export async function namespaceLabelsFromApi(access: KubeApiAccess, name: string): Promise<Record<string, string>> {
  if (!NAMESPACE_NAME.test(name)) throw new ProvenantError('CLUSTER_API_UNAVAILABLE', `${JSON.stringify(name)} is not a namespace name`);
  const token = access.tokenFile === undefined ? undefined : await readToken(access.tokenFile);
  const url = new URL(`/api/v1/namespaces/${name}`, access.server);
  const { status, body } = await get(url, token, access);
  if (status !== 200) {
    const what = status === 404 ? 'does not exist' : status === 401 || status === 403 ? 'may not be read by this service account' : `could not be read (HTTP ${status})`;
    throw new ProvenantError('CLUSTER_API_UNAVAILABLE', `namespace ${name} ${what}`, { details: { status, namespace: name } });
  }
  let labels: unknown;
  try {
    const namespace = parseJsonObject(body, 'Namespace', { maxLength: MAX_NAMESPACE_BYTES });
    const metadata = namespace.metadata;
    if (namespace.kind !== 'Namespace' || !isJsonObject(metadata) || metadata.name !== name) throw new Error('not this Namespace');
    labels = metadata.labels ?? {};
  } catch (cause) {
    throw new ProvenantError('CLUSTER_API_UNAVAILABLE', `the API server answered for namespace ${name} with something that is not that Namespace`, { cause, details: { namespace: name } });
  }
  if (!isJsonObject(labels) || !Object.values(labels).every((v) => typeof v === 'string')) {
    throw new ProvenantError('CLUSTER_API_UNAVAILABLE', `namespace ${name} has labels that are not strings`, { details: { namespace: name } });
  }
  return labels as Record<string, string>;
}

async function readToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ProvenantError('CLUSTER_API_UNAVAILABLE', `the service account token ${file} cannot be read`, { cause });
  }
  const token = text.trim();
  if (token === '' || text.length > MAX_TOKEN_BYTES || /\s/.test(token)) throw new ProvenantError('CLUSTER_API_UNAVAILABLE', `the service account token ${file} is not a bearer token`);
  return token;
}

function get(url: URL, token: string | undefined, access: KubeApiAccess): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const fail = (message: string, cause?: unknown): void => reject(new ProvenantError('CLUSTER_API_UNAVAILABLE', `${url.origin}: ${message}`, cause === undefined ? {} : { cause }));
    const req = request(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
        ...(access.ca === undefined ? {} : { ca: access.ca }),
        timeout: access.timeoutMs ?? 3_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_NAMESPACE_BYTES) {
            req.destroy();
            fail(`the answer exceeds ${MAX_NAMESPACE_BYTES} bytes`);
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', (e) => fail(e.message, e));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${access.timeoutMs ?? 3_000} ms`)));
    req.on('error', (e) => fail(e.message, e));
    req.end();
  });
}
