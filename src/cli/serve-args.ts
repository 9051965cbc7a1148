// Arguments of `provenant serve`: the listen address, positive numbers, the registry map and the policy engine's options.
import { ProvenantError } from '../core/errors.js';
import type { Verifier } from '../crypto/index.js';
import { inClusterAccess, namespaceLabelsFromApi, type KubeApiAccess } from '../intercept/k8s/kube-api.js';
import type { NamespaceLabelsFetch } from '../intercept/k8s/namespace-labels.js';
import type { PolicySet } from '../policy/policy.js';
import { readTextFile } from './files.js';
import { loadVerifierFiles } from './options.js';

/** "host:port", "[v6]:port", ":port" (loopback) or "port". Errors: USAGE. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(value) ?? /^()()([0-9]{1,5})$/.exec(value);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !Number.isInteger(port) || port > 65535) {
    throw new ProvenantError('USAGE', `--listen ${JSON.stringify(value)} is not host:port (e.g. 127.0.0.1:8080, [::1]:8080, 0.0.0.0:8080)`);
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
}

/** A positive integer option (or zero, when `zeroAllowed`). Errors: USAGE. */
export function parsePositive(value: string, what: string, zeroAllowed = false): number {
  const n = /^[0-9]{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < (zeroAllowed ? 0 : 1)) {
    throw new ProvenantError('USAGE', `${what} must be a ${zeroAllowed ? 'non-negative' : 'positive'} integer, not ${JSON.stringify(value)}`);
  }
  return n;
}

/** Repeated HOST=URL into a map; the ingest checks each URL. Errors: USAGE. */
export function parseRegistryMap(values: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0 || eq === value.length - 1) throw new ProvenantError('USAGE', `--registry ${JSON.stringify(value)} is not HOST=URL`);
    const host = value.slice(0, eq).toLowerCase();
    if (Object.hasOwn(map, host)) throw new ProvenantError('USAGE', `--registry names ${host} twice`);
    map[host] = value.slice(eq + 1);
  }
  return map;
}

/** The policy engine flags of `provenant serve`, as commander gives them. */
export interface PolicyEngineFlags {
  policyKey?: string[];
  reputationKey?: string[];
  unmatched: string;
  reevaluateInterval: string;
  admissionBudget: string;
  failurePolicy: string;
  pinDigests?: boolean;
  kubeApi: string;
  kubeTokenFile?: string;
  kubeCaFile?: string;
}

/** The policy engine options of `provenant serve`. Errors: USAGE, key file errors. */
export async function policyEngineArgs(opts: PolicyEngineFlags, env: NodeJS.ProcessEnv): Promise<{
  policyKeys: Verifier[];
  reputationKeys: Verifier[];
  noMatch: PolicySet['noMatch'];
  reevaluateIntervalMs: number;
  admission: { budgetMs: number; failurePolicy: 'fail' | 'ignore'; pinDigests: boolean; namespaceLabels?: NamespaceLabelsFetch };
}> {
  if (opts.unmatched !== 'allow' && opts.unmatched !== 'warn' && opts.unmatched !== 'deny') {
    throw new ProvenantError('USAGE', `--unmatched must be allow, warn or deny, not ${JSON.stringify(opts.unmatched)}`);
  }
  if (opts.failurePolicy !== 'fail' && opts.failurePolicy !== 'ignore') throw new ProvenantError('USAGE', '--failure-policy must be fail or ignore');
  const kube = await kubeApiAccess(opts, env);
  return {
    admission: {
      budgetMs: parsePositive(opts.admissionBudget, '--admission-budget'),
      failurePolicy: opts.failurePolicy,
      pinDigests: opts.pinDigests === true,
      ...(kube === undefined ? {} : { namespaceLabels: (namespace: string) => namespaceLabelsFromApi(kube, namespace) }),
    },
    policyKeys: opts.policyKey === undefined ? [] : await loadVerifierFiles(opts.policyKey),
    reputationKeys: opts.reputationKey === undefined ? [] : await loadVerifierFiles(opts.reputationKey),
    noMatch: opts.unmatched,
    reevaluateIntervalMs: parsePositive(opts.reevaluateInterval, '--reevaluate-interval', true) * 1000,
  };
}

/**
 * Where namespace labels are read: `--kube-api auto` (the default) uses the in-cluster service account when running
 * in a pod and reads none elsewhere; `off` reads none; a URL reads that API server with --kube-token-file and
 * --kube-ca-file. Errors: USAGE, CLUSTER_API_UNAVAILABLE (in a pod without its CA file), file errors.
 */
async function kubeApiAccess(opts: PolicyEngineFlags, env: NodeJS.ProcessEnv): Promise<KubeApiAccess | undefined> {
  const extra = opts.kubeTokenFile !== undefined || opts.kubeCaFile !== undefined;
  if (opts.kubeApi === 'off' || opts.kubeApi === 'auto') {
    if (extra) throw new ProvenantError('USAGE', '--kube-token-file and --kube-ca-file go with --kube-api URL');
    return opts.kubeApi === 'off' ? undefined : inClusterAccess(env);
  }
  let url: URL;
  try {
    url = new URL(opts.kubeApi);
  } catch {
    throw new ProvenantError('USAGE', `--kube-api must be auto, off or an https:// URL, not ${JSON.stringify(opts.kubeApi)}`);
  }
  if (url.protocol !== 'https:' || url.pathname !== '/' || url.search !== '' || url.username !== '') throw new ProvenantError('USAGE', '--kube-api must be an https://host[:port] URL');
  return {
    server: url.origin,
    ...(opts.kubeTokenFile === undefined ? {} : { tokenFile: opts.kubeTokenFile }),
    ...(opts.kubeCaFile === undefined ? {} : { ca: await readTextFile(opts.kubeCaFile, 'Kubernetes API CA', 1024 * 1024) }),
  };
}
