// `provenant docker-authz`: a Docker authorization plugin on a unix socket (dockerd --authorization-plugin=NAME
// with /etc/docker/plugins/NAME.spec pointing at the socket). Container creation is decided like the deploy gate
// (a local policy file, or the service); everything else is allowed; what cannot be read or decided in time is
// refused (docs/docker-authz.md).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, lstat, rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { isProvenantError, ProvenantError } from '../../core/errors.js';
import { parseJson } from '../../core/json.js';
import { DEFAULT_MAX_CREATE_BODY, readAuthzRequest, type AuthzAnswer } from '../../intercept/docker/authz-protocol.js';
import type { Decision } from '../../policy/decision.js';
import { openGateDecider, type GateDeciderOptions } from '../gate-decide.js';
import { addLogOptions } from '../log-session.js';
import { addAccessOptions, collect } from '../options.js';
import type { Io } from '../run.js';
import { parsePositive } from '../serve-args.js';

interface AuthzOptions extends GateDeciderOptions {
  socket: string;
  maxBody: string;
  decisionTimeout: string;
}

const MAX_MSG = 4096;

export function installDockerAuthz(program: Command, io: Io): void {
  addAccessOptions(
    addLogOptions(
      program
        .command('docker-authz')
        .description('serve the Docker authorization plugin protocol on a unix socket: container creation is decided by policy, fail closed')
        .requiredOption('--socket <path>', 'the unix socket to listen on (e.g. /run/docker/plugins/provenant.sock)')
        .option('-p, --policy <file>', 'decide here with these policies (otherwise ask the service given with --server)')
        .option('--facts <source>', 'with --policy: log or attachments', 'attachments')
        .option('--db <path>', 'with --policy: OSV advisories')
        .option('--unmatched <outcome>', 'with --policy: the outcome when no policy matches', 'deny')
        .option('--reputation-key <pem>', 'with --policy: a trusted reporter of reputation events (repeatable)', collect)
        .option('--namespace <ns>', 'the namespace decisions are made for (policies may match on it)')
        .option('--max-body <bytes>', 'largest container create body read; larger is refused', String(DEFAULT_MAX_CREATE_BODY))
        .option('--decision-timeout <ms>', 'longest wait for a decision; then the create is refused', '20000'),
    ),
  ).action(async (opts: AuthzOptions) => {
    if (opts.policy === undefined && opts.server === undefined) throw new ProvenantError('USAGE', 'give --policy FILE or --server URL');
    const maxBody = parsePositive(opts.maxBody, '--max-body');
    const timeoutMs = parsePositive(opts.decisionTimeout, '--decision-timeout');
    const decider = await openGateDecider({ ...opts, quiet: true }, io, timeoutMs);
    const server = authzServer((image) => withDeadline(decider.decide(image), timeoutMs), maxBody);
    try {
      await claimSocket(opts.socket);
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.socket, resolve));
      // Only the daemon (root) and the plugin's own user talk on the socket.
      await chmod(opts.socket, 0o600);
      io.stdout.write(`provenant docker-authz: listening on ${opts.socket}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => void server.close(() => resolve());
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    } finally {
      decider.close();
    }
  });
}

/** The plugin's HTTP server; `decide` is asked about each container create. Exported for tests. */
export function authzServer(decide: (image: string) => Promise<Decision>, maxCreateBody = DEFAULT_MAX_CREATE_BODY): Server {
  // The daemon's request wraps the create body in base64 beside the headers: allow for both, bounded.
  const maxRequest = Math.ceil(maxCreateBody / 3) * 4 + 1024 * 1024;
  const server = createServer((req, res) => {
    handle(req, res, decide, maxCreateBody, maxRequest).catch(() => res.destroy());
  });
  // A client that trickles its request is cut off instead of holding a connection.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, decide: (image: string) => Promise<Decision>, maxCreateBody: number, maxRequest: number): Promise<void> {
  const reply = (status: number, body: AuthzAnswer | { Implements: string[] } | { Err: string }): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const endpoint = req.url ?? '';
  if (req.method !== 'POST') return reply(405, { Err: 'the plugin API takes POST only' });
  const text = await readBody(req, maxRequest);
  if (text === undefined) return reply(200, answer(false, 'the authorization request is over the size limit (fail closed)'));
  if (endpoint === '/Plugin.Activate') return reply(200, { Implements: ['authz'] });
  // The decision was made on the request; the response passes as it is.
  if (endpoint === '/AuthZPlugin.AuthZRes') return reply(200, { Allow: true });
  if (endpoint !== '/AuthZPlugin.AuthZReq') return reply(404, { Err: `unknown plugin endpoint ${JSON.stringify(endpoint.slice(0, 200))}` });
  let body: unknown;
  try {
    body = parseJson(text, 'authorization request', { maxLength: maxRequest, maxDepth: 32 });
  } catch (e) {
    return reply(200, { Allow: false, Err: `the authorization request is not JSON (${isProvenantError(e) ? e.code : 'unreadable'})` });
  }
  const view = readAuthzRequest(body, maxCreateBody);
  switch (view.kind) {
    case 'other':
      return reply(200, { Allow: true });
    case 'refuse':
      return reply(200, answer(false, view.reason));
    case 'create':
      return reply(200, await decided(view.image, decide));
  }
}

async function decided(image: string, decide: (image: string) => Promise<Decision>): Promise<AuthzAnswer> {
  let decision: Decision;
  try {
    decision = await decide(image);
  } catch (e) {
    return answer(false, `no decision for ${image} (fail closed): ${isProvenantError(e) ? `${e.code}: ${e.message}` : 'internal error'}`);
  }
  const subject = `${decision.image.reference} (${decision.image.digest})`;
  switch (decision.outcome) {
    case 'deny':
      return answer(false, `denied by Provenant: ${subject}: ${decision.reasons.join('; ') || 'no policy allows it'}`);
    case 'warn':
      return answer(true, `allowed with warnings: ${subject}: ${decision.warnings.join('; ')}`);
    case 'sandbox':
      // The plugin cannot rewrite the daemon's request, so the sandbox changes are named and the create proceeds.
      return answer(true, `allowed; sandbox changes not applied by the Docker plugin: ${subject}: ${decision.reasons.join('; ')}`);
    case 'allow':
      return answer(true, `allowed: ${subject}`);
  }
}

function answer(allow: boolean, msg: string): AuthzAnswer {
  return { Allow: allow, Msg: msg.replace(/\p{Cc}/gu, '?').slice(0, MAX_MSG) };
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProvenantError('ADMISSION_TIMEOUT', `no decision within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Removes a socket left by an earlier run; refuses to remove anything that is not a socket. Errors: USAGE. */
async function claimSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new ProvenantError('IO_ERROR', `cannot inspect ${path}: ${e.message}`, { cause: e });
  });
  if (stat === undefined) return;
  if (!stat.isSocket()) throw new ProvenantError('USAGE', `${path} exists and is not a socket; refusing to replace it`);
  await rm(path, { force: true });
}

/** The body, or undefined when it is over `max` (read to its end and dropped, so the answer still reaches the daemon). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => resolve(size > max ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
