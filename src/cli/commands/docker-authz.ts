// `provenant docker-authz`: a Docker authorization plugin on a unix socket (dockerd --authorization-plugin=NAME
// with /etc/docker/plugins/NAME.spec pointing at the socket). Container creation is decided like the deploy gate
// (a local policy file, or the service); everything else is allowed; what cannot be read or decided is refused.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { isProvenantError, ProvenantError } from '../../core/errors.js';
import { parseJson } from '../../core/json.js';
import { DEFAULT_MAX_CREATE_BODY, readAuthzRequest, type AuthzAnswer } from '../../intercept/docker/authz-protocol.js';
import type { Decision } from '../../policy/decision.js';
import { addLogOptions } from '../log-session.js';
import { addAccessOptions } from '../options.js';
import { decideWithPolicyFile, type PolicyFileOptions } from '../policy-decide.js';
import type { Io } from '../run.js';
import { askService } from './gate.js';
import { parsePositive } from '../serve-args.js';

interface AuthzOptions extends Omit<PolicyFileOptions, 'policy'> {
  socket: string;
  policy?: string;
  maxBody: string;
}

export function installDockerAuthz(program: Command, io: Io): void {
  addAccessOptions(
    addLogOptions(
      program
        .command('docker-authz')
        .description('serve the Docker authorization plugin protocol on a unix socket: container creation is decided by policy')
        .requiredOption('--socket <path>', 'the unix socket to listen on (e.g. /run/docker/plugins/provenant.sock)')
        .option('-p, --policy <file>', 'decide here with these policies (otherwise ask the service given with --server)')
        .option('--facts <source>', 'with --policy: log or attachments', 'attachments')
        .option('--db <path>', 'with --policy: OSV advisories')
        .option('--unmatched <outcome>', 'with --policy: the outcome when no policy matches', 'deny')
        .option('--max-body <bytes>', 'largest container create body read; larger is refused', String(DEFAULT_MAX_CREATE_BODY)),
    ),
  ).action(async (opts: AuthzOptions) => {
    if (opts.policy === undefined && opts.server === undefined) throw new ProvenantError('USAGE', 'give --policy FILE or --server URL');
    const maxBody = parsePositive(opts.maxBody, '--max-body');
    const decide = (image: string): Promise<Decision> =>
      opts.policy !== undefined ? decideWithPolicyFile(image, { ...opts, policy: opts.policy, quiet: true }, io) : askService(image, { ...opts, quiet: true }, io);
    const server = authzServer(decide, maxBody);
    await rm(opts.socket, { force: true });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.socket, resolve));
    io.stdout.write(`provenant docker-authz: listening on ${opts.socket}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => void server.close(() => resolve());
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  });
}

/** The plugin's HTTP server; `decide` is asked about each container create. Exported for tests. */
export function authzServer(decide: (image: string) => Promise<Decision>, maxCreateBody = DEFAULT_MAX_CREATE_BODY) {
  // The daemon's request wraps the create body in base64 and headers: allow for both, bounded.
  const maxRequest = Math.ceil((maxCreateBody * 4) / 3) + 1024 * 1024;
  return createServer((req, res) => {
    void handle(req, res, decide, maxCreateBody, maxRequest);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, decide: (image: string) => Promise<Decision>, maxCreateBody: number, maxRequest: number): Promise<void> {
  const reply = (status: number, body: object): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  if (req.method !== 'POST') return reply(405, { Err: 'POST only' });
  let text: Buffer | undefined;
  try {
    text = await readBody(req, maxRequest);
  } catch {
    return reply(200, answer(false, 'the authorization request could not be read (fail closed)'));
  }
  if (text === undefined) return reply(200, answer(false, 'the authorization request is over the size limit (fail closed)'));
  if (req.url === '/Plugin.Activate') return reply(200, { Implements: ['authz'] });
  // The decision was made on the request; the response passes as it is.
  if (req.url === '/AuthZPlugin.AuthZRes') return reply(200, { Allow: true });
  if (req.url !== '/AuthZPlugin.AuthZReq') return reply(404, { Err: `unknown plugin endpoint ${req.url ?? ''}` });
  let body: unknown;
  try {
    body = parseJson(text, 'authorization request', { maxLength: maxRequest, maxDepth: 32 });
  } catch (e) {
    return reply(200, { Allow: false, Err: `the authorization request is not JSON: ${isProvenantError(e) ? e.code : 'unreadable'}` });
  }
  const view = readAuthzRequest(body, maxCreateBody);
  switch (view.kind) {
    case 'other':
      return reply(200, { Allow: true });
    case 'refuse':
      return reply(200, answer(false, view.reason));
    case 'create':
      try {
        const decision = await decide(view.image);
        const allowed = decision.outcome !== 'deny';
        return reply(200, answer(allowed, allowed ? `${decision.outcome}: ${decision.image.reference}` : `denied by Provenant: ${decision.reasons.join('; ')}`));
      } catch (e) {
        return reply(200, answer(false, `no decision for ${view.image} (fail closed): ${isProvenantError(e) ? `${e.code}: ${e.message}` : String(e)}`));
      }
  }
}

function answer(allow: boolean, msg: string): AuthzAnswer {
  return { Allow: allow, Msg: msg.slice(0, 4096) };
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
