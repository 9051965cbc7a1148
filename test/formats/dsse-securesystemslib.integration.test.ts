// DSSE interop with Python securesystemslib 0.26 (Debian's python3-securesystemslib), both directions.
// 0.26 has no DSSE module, so the Python side builds PAE itself from the spec and uses the signer API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { Verifier } from '../../src/crypto/signer.js';
import { parseEnvelope, signEnvelope, verifyEnvelope, type Envelope } from '../../src/formats/dsse.js';
import { testKeyPair } from './test-keys.js';

const PYTHON = '/usr/bin/python3';
const TYPE = 'application/vnd.in-toto+json';

const PY_COMMON = `
import base64, json, sys
from securesystemslib import keys as sslib_keys
from securesystemslib.signer import SSlibKey, Signature
from securesystemslib.exceptions import UnverifiedSignatureError

def b64(s):
    s = s.replace("-", "+").replace("_", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)

def pae(payload_type, payload):
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)
`;

const PY_VERIFY = `${PY_COMMON}
req = json.load(sys.stdin)
env = req["envelope"]
key = SSlibKey.from_securesystemslib_key(sslib_keys.import_ecdsakey_from_public_pem(req["publicKeyPem"]))
data = pae(env["payloadType"], b64(env["payload"]))
ok = False
for s in env["signatures"]:
    try:
        key.verify_signature(Signature(key.keyid, b64(s["sig"]).hex()), data)
        ok = True
    except UnverifiedSignatureError:
        pass
print("verified" if ok else "rejected")
sys.exit(0 if ok else 1)
`;

const PY_SIGN = `${PY_COMMON}
req = json.load(sys.stdin)
key = sslib_keys.generate_ecdsa_key()
payload = req["payload"].encode("utf-8")
sig = sslib_keys.create_signature(key, pae(req["payloadType"], payload))
env = {"payloadType": req["payloadType"], "payload": base64.b64encode(payload).decode(),
       "signatures": [{"keyid": key["keyid"], "sig": base64.b64encode(bytes.fromhex(sig["sig"])).decode()}]}
print(json.dumps({"envelope": env, "publicKeyPem": key["keyval"]["public"]}))
`;

function python(script: string, input: unknown): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, `cannot run ${PYTHON}: ${String(r.error)}`);
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

function pythonVerifies(envelope: Envelope, publicKeyPem: string): boolean {
  const r = python(PY_VERIFY, { envelope, publicKeyPem });
  assert.ok(r.status === 0 || r.status === 1, `python failed: ${r.stderr}`);
  assert.equal(r.stdout, r.status === 0 ? 'verified' : 'rejected');
  return r.status === 0;
}

function verifierFromPem(pem: string): Verifier {
  const key = createPublicKey(pem);
  const der = key.export({ type: 'spki', format: 'der' });
  return {
    algorithm: 'ecdsa-p256',
    keyId: `sha256:${createHash('sha256').update(der).digest('hex')}`,
    verify: (data, sig) => verify('sha256', data, key, sig),
    publicKeyPem: () => pem,
  };
}

test('securesystemslib 0.26 is the one installed', () => {
  const r = spawnSync(PYTHON, ['-c', 'import securesystemslib; print(securesystemslib.__version__)'], { encoding: 'utf8' });
  assert.equal(r.error, undefined);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /^0\.26\./);
});

test('a Provenant-signed ECDSA P-256 envelope verifies in securesystemslib; tampered ones do not', async () => {
  const k = testKeyPair('ecdsa-p256');
  const body = '{"_type":"https://in-toto.io/Statement/v1","note":"ünïcödé"}';
  const env = await signEnvelope(TYPE, body, [k.signer]);
  assert.equal(pythonVerifies(env, k.publicKeyPem), true);

  const sig = Buffer.from(env.signatures[0]!.sig, 'base64');
  sig[sig.length - 2]! ^= 1;
  const tampered: Envelope[] = [
    { ...env, payload: Buffer.from(body.replace('Statement', 'StatemenT')).toString('base64') },
    { ...env, payloadType: 'application/json' },
    { ...env, signatures: [{ sig: sig.toString('base64') }] },
  ];
  for (const t of tampered) assert.equal(pythonVerifies(t, k.publicKeyPem), false);
  assert.equal(pythonVerifies(env, testKeyPair('ecdsa-p256').publicKeyPem), false);
});

test('a securesystemslib-signed envelope verifies in Provenant; a tampered one does not', () => {
  const r = python(PY_SIGN, { payloadType: TYPE, payload: '{"hello":"from python"}' });
  assert.equal(r.status, 0, r.stderr);
  const { envelope, publicKeyPem } = JSON.parse(r.stdout) as { envelope: Envelope; publicKeyPem: string };
  const env = parseEnvelope(JSON.stringify(envelope));
  const verifier = verifierFromPem(publicKeyPem);
  const out = verifyEnvelope(env, [verifier], { payloadType: TYPE });
  assert.equal(out.payload.toString(), '{"hello":"from python"}');
  const tampered = { ...env, payload: Buffer.from('{"hello":"from pythoN"}').toString('base64') };
  assert.throws(() => verifyEnvelope(tampered, [verifier]), { name: 'ProvenantError', code: 'SIGNATURE_INVALID' });
});
