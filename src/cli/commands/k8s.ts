// `provenant k8s manifests`: the Kubernetes objects that install the admission webhooks, as YAML documents
// separated by `---` (docs/kubernetes.md).
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ProvenantError } from '../../core/errors.js';
import { MAX_TIMEOUT_SECONDS, webhookManifests } from '../../intercept/k8s/manifests.js';
import { checkWebhookTls } from '../../intercept/k8s/tls-material.js';
import { readInputFile } from '../files.js';
import { PROVENANT_VERSION, type Io } from '../run.js';
import { parsePositive } from '../serve-args.js';

interface ManifestArgs {
  namespace: string;
  image: string;
  serviceName: string;
  timeoutSeconds: string;
  optOutLabel: string;
  tlsSecret: string;
  caBundle?: string;
  tlsCert?: string;
  tlsKey?: string;
}

const MAX_PEM_FILE = 1024 * 1024;

async function readPem(path: string | undefined, what: string): Promise<string | undefined> {
  return path === undefined ? undefined : (await readInputFile(path, what, MAX_PEM_FILE)).toString('utf8');
}

const base64 = (text: string | undefined): string => (text === undefined ? '' : Buffer.from(text, 'utf8').toString('base64'));

export function installK8s(program: Command, io: Io): void {
  program
    .command('k8s')
    .description('Kubernetes integration')
    .command('manifests')
    .description('print the objects that install the admission webhooks (YAML documents)')
    .option('--namespace <ns>', 'namespace of the service (it is itself never gated)', 'provenant')
    .option('--image <image>', 'the Provenant container image', `ghcr.io/provenant/provenant:${PROVENANT_VERSION}`)
    .option('--service-name <name>', 'name of the Service, Deployment and webhooks', 'provenant')
    .option('--timeout-seconds <n>', `webhook timeout (1-${MAX_TIMEOUT_SECONDS}); the service answers within a budget below it`, '8')
    .option('--opt-out-label <key>', 'namespaces carrying this label (any value) are not gated', 'provenant.dev/exclude')
    .option('--tls-secret <name>', 'the kubernetes.io/tls Secret the service serves with', 'provenant-tls')
    .option('--ca-bundle <file>', 'PEM CA certificate(s) the API server trusts the service with (caBundle)')
    .option('--tls-cert <file>', 'PEM certificate (chain) of the service, for the TLS Secret')
    .option('--tls-key <file>', 'its PEM private key')
    .action(async (opts: ManifestArgs) => {
      const timeoutSeconds = parsePositive(opts.timeoutSeconds, '--timeout-seconds');
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new ProvenantError('USAGE', '--tls-cert and --tls-key go together');
      const tls = {
        cert: await readPem(opts.tlsCert, 'TLS certificate'),
        key: await readPem(opts.tlsKey, 'TLS key'),
        ca: await readPem(opts.caBundle, 'CA bundle'),
      };
      const docs = webhookManifests({
        namespace: opts.namespace,
        image: opts.image,
        serviceName: opts.serviceName,
        timeoutSeconds,
        optOutLabel: opts.optOutLabel,
        tlsSecret: opts.tlsSecret,
        caBundle: base64(tls.ca),
        tlsCert: base64(tls.cert),
        tlsKey: base64(tls.key),
      });
      // After the names are checked, so a host mismatch is reported against a name the cluster would accept.
      checkWebhookTls(tls, `${opts.serviceName}.${opts.namespace}.svc`, new Date());
      io.stdout.write(docs.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n'));
    });
}
