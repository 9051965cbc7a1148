// `provenant serve`: the transparency log as an HTTP service (src/server/), over the embedded SQLite store of a data
// directory or a shared PostgreSQL database, with registry notifications ingested into it. Runs until SIGTERM or
// SIGINT, then drains: every append acknowledged before is durable.
import { join } from 'node:path';
import type { Command } from 'commander';
import { ProvenantError } from '../../core/errors.js';
import type { Verifier } from '../../crypto/index.js';
import { RegistryIngest } from '../../ingest/index.js';
import { dockerConfigCredentials } from '../../oci/registry/index.js';
import type { ReadAuth } from '../../server/auth.js';
import { PreparePool, defaultPrepareThreads } from '../../log/prepare-pool.js';
import { startServer, type RunningServer } from '../../server/lifecycle.js';
import { TokenStore } from '../../server/tokens.js';
import { readTextFile } from '../files.js';
import { collect, loadVerifierFiles } from '../options.js';
import type { Io } from '../run.js';
import { DEFAULT_DATA_DIR, LOG_KEY_FILE, openEmbeddedLog } from '../store-access.js';
import { parseListen, parsePositive, parseRegistryMap, policyEngineArgs, type PolicyEngineFlags } from '../serve-args.js';
import { policyEngine } from '../../server/policy-wiring.js';
import { defaultTokenFile } from './token.js';

interface ServeOptions extends PolicyEngineFlags {
  data: string;
  database?: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  tokens?: string;
  readAuth: string;
  origin?: string;
  logKey?: string;
  trustedKey?: string[];
  registry?: string[];
  maxBody?: string;
  batchSize?: string;
  batchDelay?: string;
  verifyThreads?: string;
}

export function installServe(program: Command, io: Io): void {
  program
    .command('serve')
    .description('run the transparency log service: JSON API, C2SP tlog-tiles, registry notifications, health and metrics')
    .option('--data <dir>', 'data directory: the SQLite log (unless --database), the log key and the token file', DEFAULT_DATA_DIR)
    .option('--database <url>', 'keep the log in PostgreSQL (postgres://...) instead of SQLite')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8080')
    .option('--tls-cert <pem>', 'serve HTTPS with this certificate chain')
    .option('--tls-key <pem>', 'the private key of --tls-cert')
    .option('--tokens <file>', 'API token file (default DIR/tokens.json; see `provenant token create`)')
    .option('--read-auth <mode>', 'open (anyone reads) or token (reads need a token)', 'open')
    .option('--origin <name>', 'name of a new log (default provenant.local/log/<8 random hex>)')
    .option('--log-key <file>', 'the log signing key, encrypted with $PROVENANT_LOG_PASSWORD (default DIR/log.key)')
    .option('--trusted-key <pem>', 'public key whose registry signatures and attestations are recorded as verified (repeatable)', collect)
    .option('--registry <host=url>', 'read the registry named HOST in notifications at URL; only listed registries are read (repeatable)', collect)
    .option('--max-body <bytes>', 'largest request body accepted')
    .option('--batch-size <n>', 'most entries sequenced in one batch')
    .option('--batch-delay <ms>', 'how long the first waiting append waits for company')
    .option('--verify-threads <n>', `worker threads verifying proposals; 0 verifies in-process (default ${defaultPrepareThreads()} here)`)
    .option('--policy-key <pem>', 'public key whose policy versions in the log are in force, besides the log key (repeatable)', collect)
    .option('--reputation-key <pem>', 'public key of a trusted reporter of reputation events and revocations (repeatable)', collect)
    .option('--unmatched <outcome>', 'the decision for an image no policy matches: allow, warn or deny', 'deny')
    .option('--reevaluate-interval <seconds>', 'how often to look for policy, advisory and revocation changes made by other writers (0: never)', '30')
    .option('--admission-budget <ms>', 'time budget of one admission review, below the API server timeout', '8000')
    .option('--failure-policy <policy>', 'admission when no decision can be made in time: fail (deny) or ignore (allow with a warning)', 'fail')
    .option('--kube-api <auto|off|url>', 'where admission reads namespace labels (for namespaceSelector): auto = the in-cluster service account when in a pod', 'auto')
    .option('--kube-token-file <file>', 'bearer token file for --kube-api URL (read on every request)')
    .option('--kube-ca-file <pem>', 'CA bundle the --kube-api URL server certificate must chain to')
    .option('--pin-digests', 'the mutating webhook rewrites every image tag to the digest decided on (per policy: spec.pinDigests)')
    .action(async (opts: ServeOptions) => {
      if (opts.readAuth !== 'open' && opts.readAuth !== 'token') throw new ProvenantError('USAGE', '--read-auth must be open or token');
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new ProvenantError('USAGE', '--tls-cert and --tls-key go together');
      const listen = parseListen(opts.listen);
      const maxBodyBytes = opts.maxBody === undefined ? undefined : parsePositive(opts.maxBody, '--max-body');
      const maxBatch = opts.batchSize === undefined ? undefined : parsePositive(opts.batchSize, '--batch-size');
      const maxDelayMs = opts.batchDelay === undefined ? undefined : parsePositive(opts.batchDelay, '--batch-delay', true);
      const verifyThreads = opts.verifyThreads === undefined ? defaultPrepareThreads() : parsePositive(opts.verifyThreads, '--verify-threads', true);
      const registryHosts = opts.registry === undefined ? undefined : parseRegistryMap(opts.registry);
      const trustedKeys: Verifier[] = opts.trustedKey === undefined ? [] : await loadVerifierFiles(opts.trustedKey);
      const engine = await policyEngineArgs(opts, io.env);
      const tls =
        opts.tlsCert === undefined || opts.tlsKey === undefined
          ? undefined
          : { cert: await readTextFile(opts.tlsCert, 'TLS certificate', 1024 * 1024), key: await readTextFile(opts.tlsKey, 'TLS key', 1024 * 1024) };
      const tokenFile = opts.tokens ?? defaultTokenFile(opts.data);
      const tokens = await TokenStore.open(tokenFile, {
        onReloadError: (e) => io.stderr.write(`warning: the token file ${tokenFile} could not be reloaded (${e.code}: ${e.message}); the tokens read before stay in force\n`),
      });

      const pool = verifyThreads === 0 ? undefined : PreparePool.create(verifyThreads);
      const { log, key, store } = await openEmbeddedLog({
        location: opts.database === undefined ? { dataDir: opts.data } : { databaseUrl: opts.database },
        keyPath: opts.logKey ?? join(opts.data, LOG_KEY_FILE),
        env: io.env,
        ...(opts.origin === undefined ? {} : { origin: opts.origin }),
        ...(maxBatch === undefined ? {} : { maxBatch }),
        ...(maxDelayMs === undefined ? {} : { maxDelayMs }),
        ...(pool === undefined ? {} : { prepare: pool.prepare }),
      }).catch(async (e: unknown) => {
        await pool?.close();
        throw e;
      });
      let warn: (obj: object, msg: string) => void = (obj, msg) => io.stderr.write(`${msg} ${JSON.stringify(obj)}\n`);
      const ingest = new RegistryIngest({
        log,
        signer: key,
        trustedKeys,
        credentials: dockerConfigCredentials({ env: io.env }),
        ...(registryHosts === undefined ? {} : { registryHosts }),
        logger: { warn: (obj, msg) => warn(obj, msg) },
      });
      let running: RunningServer;
      try {
        running = await startServer({
          log,
          tokens,
          readAuth: opts.readAuth as ReadAuth,
          registryNotifications: ingest,
          host: listen.host,
          port: listen.port,
          // The service's request log goes to stderr; stdout carries only the line saying where it listens.
          logger: { level: 'info', stream: io.stderr },
          ...(tls === undefined ? {} : { tls }),
          ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
          extraRoutes: [policyEngine({ log, store, signer: key, ...engine })],
        });
      } catch (e) {
        await ingest.drain();
        await log.close();
        await pool?.close();
        throw e;
      }
      const appLog = running.app.log;
      warn = (obj, msg) => appLog.warn(obj, msg);
      io.stdout.write(`provenant serve: listening on ${running.url}, origin ${log.origin}, verifier key ${log.verifierKey}\n`);
      try {
        await running.stopped;
      } finally {
        await pool?.close();
      }
    });
}
