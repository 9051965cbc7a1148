// `provenant k8s manifests`: the Kubernetes objects that install the admission webhooks, as YAML documents.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ProvenantError } from '../../core/errors.js';
import { webhookManifests } from '../../intercept/k8s/manifests.js';
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

export function installK8s(program: Command, io: Io): void {
  program
    .command('k8s')
    .description('Kubernetes integration')
    .command('manifests')
    .description('print the objects that install the admission webhooks (YAML)')
    .option('--namespace <ns>', 'namespace of the service', 'provenant')
    .option('--image <image>', 'the Provenant container image', `ghcr.io/provenant/provenant:${PROVENANT_VERSION}`)
    .option('--service-name <name>', 'name of the Service, Deployment and webhooks', 'provenant')
    .option('--timeout-seconds <n>', 'webhook timeout (1-30); the service answers a second earlier', '8')
    .option('--opt-out-label <key>', 'namespaces with this label are not gated', 'provenant.dev/exclude')
    .option('--tls-secret <name>', 'the kubernetes.io/tls Secret the service serves with', 'provenant-tls')
    .option('--ca-bundle <pem>', 'CA certificate(s) the API server trusts the service with')
    .option('--tls-cert <pem>', 'the service certificate to put in the Secret')
    .option('--tls-key <pem>', 'its private key')
    .action(async (opts: ManifestArgs) => {
      const timeoutSeconds = parsePositive(opts.timeoutSeconds, '--timeout-seconds');
      if (timeoutSeconds > 30) throw new ProvenantError('USAGE', '--timeout-seconds is at most 30 (the API server caps webhook timeouts there)');
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new ProvenantError('USAGE', '--tls-cert and --tls-key go together');
      const b64 = async (path: string | undefined, what: string): Promise<string> => (path === undefined ? '' : (await readInputFile(path, what, 1024 * 1024)).toString('base64'));
      const docs = webhookManifests({
        namespace: opts.namespace,
        image: opts.image,
        serviceName: opts.serviceName,
        timeoutSeconds,
        optOutLabel: opts.optOutLabel,
        tlsSecret: opts.tlsSecret,
        caBundle: await b64(opts.caBundle, 'CA bundle'),
        tlsCert: await b64(opts.tlsCert, 'TLS certificate'),
        tlsKey: await b64(opts.tlsKey, 'TLS key'),
      });
      io.stdout.write(docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'));
    });
}
