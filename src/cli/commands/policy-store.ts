// `provenant policy apply|list|history|delete`: the policy versions kept in the log. Through a service (--server),
// the service signs each version with its key; on an embedded log (--data), the version is signed with --key,
// which the service serving that store must trust (`serve --policy-key`).
import type { Command } from 'commander';
import { ProvenantError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import { PublicKeyVerifier } from '../../crypto/index.js';
import type { LogService } from '../../log/service.js';
import { applyPolicies, currentPolicies, deletePolicies, readPolicyVersions, type PolicyTrust } from '../../policy/runtime/index.js';
import { toWire } from '../../core/wire-values.js';
import { readTextFile } from '../files.js';
import { addLogOptions, withLog, type LogOptions } from '../log-session.js';
import { collect, loadSignerFile, loadVerifierFiles } from '../options.js';
import { MAX_POLICY_FILE_BYTES } from '../policy-inputs.js';
import { jsonBody, ServiceHttp } from '../remote/service-http.js';
import { printJson, type Io } from '../run.js';
import { serviceEndpoint } from '../store-access.js';

interface StoreCommandOptions extends LogOptions {
  key?: string;
  policyKey?: string[];
}

const ANSWER_LIMIT = 8 * 1024 * 1024;
// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4): the log's note key in the form key ids hash.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function installPolicyStore(policy: Command, io: Io): void {
  const common = (cmd: Command): Command =>
    addLogOptions(cmd)
      .option('--key <file>', 'sign the version with this private key (embedded log only; a service signs with its own)')
      .option('--policy-key <pem>', 'embedded log: a public key whose policy versions count besides the log key (repeatable)', collect);

  common(policy.command('apply').description('append a new version of each policy of the file that changed').requiredOption('-f, --file <file>', 'YAML policy documents')).action(
    async (opts: StoreCommandOptions & { file: string }) => {
      const text = await readTextFile(opts.file, 'policy file', MAX_POLICY_FILE_BYTES);
      printJson(io, await remoteOr(opts, io, { method: 'POST', path: 'api/v1/policies', json: { document: text } }, async (log, trust) => {
        const signer = await loadSignerFile(requireKey(opts), io);
        return toWire(await applyPolicies(log, signer, text, { trustedSigners: [...trust.trustedSigners, signer.keyId] }, opts.file));
      }));
    },
  );

  common(policy.command('delete').description('append a deletion of the named policy').argument('<name>')).action(async (name: string, opts: StoreCommandOptions) => {
    printJson(io, await remoteOr(opts, io, { method: 'DELETE', path: `api/v1/policies/${encodeURIComponent(name)}` }, async (log, trust) => {
      const signer = await loadSignerFile(requireKey(opts), io);
      return toWire(await deletePolicies(log, signer, [name], { trustedSigners: [...trust.trustedSigners, signer.keyId] }));
    }));
  });

  common(policy.command('list').description('the policies in force and the policy set version')).action(async (opts: StoreCommandOptions) => {
    printJson(io, await remoteOr(opts, io, { method: 'GET', path: 'api/v1/policies' }, async (log, trust) => {
      const current = await currentPolicies(log, trust);
      return toWire({ version: current.version, policies: current.policies.map(({ content, document: _d, ...v }) => ({ ...v, mode: content.policy.mode })), problems: current.problems });
    }));
  });

  common(policy.command('history').description('every version of one policy, with log index and previous version').argument('<name>')).action(
    async (name: string, opts: StoreCommandOptions) => {
      printJson(io, await remoteOr(opts, io, { method: 'GET', path: `api/v1/policies/${encodeURIComponent(name)}/versions` }, async (log, trust) => {
        const versions = (await readPolicyVersions(log, trust)).versions.filter((v) => v.name === name);
        if (versions.length === 0) throw new ProvenantError('POLICY_NOT_FOUND', `no policy named ${JSON.stringify(name)} was ever applied`, { details: { name } });
        return toWire({ name, versions: versions.map(({ content, ...v }) => ({ ...v, state: content.kind })) });
      }));
    },
  );
}

/** Asks the service when --server is given; otherwise runs `embedded` on the data directory's log. */
async function remoteOr(
  opts: StoreCommandOptions,
  io: Io,
  request: { method: 'GET' | 'POST' | 'DELETE'; path: string; json?: JsonObject },
  embedded: (log: LogService, trust: PolicyTrust) => Promise<unknown>,
): Promise<unknown> {
  if (opts.server !== undefined) {
    if (opts.key !== undefined || opts.policyKey !== undefined) throw new ProvenantError('USAGE', '--key and --policy-key are for an embedded log; a service signs with its own key');
    const http = new ServiceHttp(await serviceEndpoint({ ...opts, server: opts.server }, io));
    return jsonBody(await http.send({ ...request, maxBytes: ANSWER_LIMIT }), request.path);
  }
  const policyKeys = opts.policyKey === undefined ? [] : (await loadVerifierFiles(opts.policyKey)).map((k) => k.keyId);
  const mode = request.method === 'GET' ? 'read' : 'write';
  return withLog(opts, io, { mode }, async ({ log }) => {
    const info = await log.info();
    return embedded(log, { trustedSigners: [logKeyId(info.verifierKey), ...policyKeys] });
  });
}

function requireKey(opts: StoreCommandOptions): string {
  if (opts.key === undefined) throw new ProvenantError('USAGE', 'an embedded log needs --key: the private key that signs the policy version');
  return opts.key;
}

/** The key id of the log's own Ed25519 key, from its note verifier key "<name>+<id>+<base64(0x01 || key)>". */
function logKeyId(verifierKey: string): string {
  // The name holds no "+", the base64 key may: the key starts after the second "+".
  const typed = Buffer.from(verifierKey.slice(verifierKey.indexOf('+', verifierKey.indexOf('+') + 1) + 1), 'base64');
  return PublicKeyVerifier.fromSpki(Buffer.concat([ED25519_SPKI_PREFIX, typed.subarray(1)])).keyId;
}
