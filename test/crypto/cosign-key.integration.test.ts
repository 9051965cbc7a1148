// Cross-checks the cosign encrypted-key format against an independent implementation: Debian's Python with
// hashlib.scrypt, PyNaCl's SecretBox and pyca/cryptography, written here from the format description.
// A missing /usr/bin/python3 or module is a failure, never a skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPair, loadSigningKey, loadVerifier } from '../../src/crypto/keys.js';
import { rejectsCode } from './helpers.js';

const PYTHON = '/usr/bin/python3';

const COMMON = `
import sys, json, base64, hashlib, os
import nacl.secret, nacl.utils
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
req = json.load(sys.stdin)
b64e = lambda b: base64.b64encode(b).decode()
b64d = base64.b64decode
def sign(key, data):
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    return key.sign(data)
def verify(pub, sig, data):
    try:
        if isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(sig, data, ec.ECDSA(hashes.SHA256()))
        else:
            pub.verify(sig, data)
        return True
    except InvalidSignature:
        return False
def spki(pub):
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
`;

// Writes a key as cosign does: PKCS#8 sealed with secretbox under scrypt(password), JSON, base64, PEM.
const WRITE_KEY = `${COMMON}
key = ec.generate_private_key(ec.SECP256R1()) if req['algorithm'] == 'ecdsa-p256' else ed25519.Ed25519PrivateKey.generate()
pkcs8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
salt, nonce = os.urandom(32), nacl.utils.random(24)
box_key = hashlib.scrypt(req['password'].encode('utf-8'), salt=salt, n=req['N'], r=8, p=1, maxmem=2**28, dklen=32)
sealed = nacl.secret.SecretBox(box_key).encrypt(pkcs8, nonce).ciphertext
body = json.dumps({'kdf': {'name': 'scrypt', 'params': {'N': req['N'], 'r': 8, 'p': 1}, 'salt': b64e(salt)},
                   'cipher': {'name': 'nacl/secretbox', 'nonce': b64e(nonce)}, 'ciphertext': b64e(sealed)},
                  separators=(',', ':')).encode()
text = b64e(body)
pem = '-----BEGIN %s-----\\n%s\\n-----END %s-----\\n' % (req['label'], '\\n'.join(text[i:i + 64] for i in range(0, len(text), 64)), req['label'])
pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
json.dump({'privateKeyPem': pem, 'publicKeyPem': pub, 'signature': b64e(sign(key, b64d(req['payload'])))}, sys.stdout)
`;

// Reads a key Provenant wrote, checks it against the public key and signatures, and signs with it.
const READ_KEY = `${COMMON}
lines = req['privateKeyPem'].strip().split('\\n')
body = json.loads(b64d(''.join(lines[1:-1])))
kdf, cipher = body['kdf'], body['cipher']
salt, nonce = b64d(kdf['salt']), b64d(cipher['nonce'])
params = kdf['params']
box_key = hashlib.scrypt(req['password'].encode('utf-8'), salt=salt, n=params['N'], r=params['r'], p=params['p'], maxmem=2**28, dklen=32)
pkcs8 = nacl.secret.SecretBox(box_key).decrypt(b64d(body['ciphertext']), nonce)
key = serialization.load_der_private_key(pkcs8, None)
pub = serialization.load_pem_public_key(req['publicKeyPem'].encode())
json.dump({
    'beginLine': lines[0], 'endLine': lines[-1], 'bodyMembers': list(body), 'kdfMembers': list(kdf),
    'cipherMembers': list(cipher), 'kdfName': kdf['name'], 'cipherName': cipher['name'], 'params': params,
    'saltBytes': len(salt), 'nonceBytes': len(nonce), 'keyType': type(key).__name__,
    'publicKeyMatches': spki(key.public_key()) == spki(pub),
    'spkiSha256': hashlib.sha256(spki(pub)).hexdigest(),
    'goodSignatureValid': verify(pub, b64d(req['signature']), b64d(req['payload'])),
    'badSignatureValid': verify(pub, b64d(req['signature']), b64d(req['payload']) + b'!'),
    'pythonSignature': b64e(sign(key, b64d(req['payload']))),
}, sys.stdout)
`;

function python<T>(script: string, request: unknown): T {
  const run = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(request), encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.error, undefined, `could not run ${PYTHON}: ${String(run.error)}`);
  assert.equal(run.status, 0, `python failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const PAYLOAD = Buffer.from('{"critical":{"identity":{"docker-reference":"registry.test/app"}},"optional":null}');

const cases = [
  { algorithm: 'ecdsa-p256', label: 'ENCRYPTED SIGSTORE PRIVATE KEY', N: 65536 },
  { algorithm: 'ed25519', label: 'ENCRYPTED SIGSTORE PRIVATE KEY', N: 65536 },
  { algorithm: 'ecdsa-p256', label: 'ENCRYPTED COSIGN PRIVATE KEY', N: 32768 },
  { algorithm: 'ed25519', label: 'ENCRYPTED COSIGN PRIVATE KEY', N: 131072 },
] as const;

for (const c of cases) {
  test(`Python-written ${c.algorithm} key (${c.label}, N=${c.N}): Provenant decrypts it and verifies its signature`, async () => {
    const password = 'pässword 🔑';
    const made = python<{ privateKeyPem: string; publicKeyPem: string; signature: string }>(WRITE_KEY, {
      ...c,
      password,
      payload: PAYLOAD.toString('base64'),
    });
    const key = await loadSigningKey(made.privateKeyPem, password);
    const verifier = loadVerifier(made.publicKeyPem);
    assert.equal(key.algorithm, c.algorithm);
    assert.equal(key.keyId, verifier.keyId);
    assert.ok(verifier.verify(PAYLOAD, Buffer.from(made.signature, 'base64')));
    assert.ok(verifier.verify(PAYLOAD, await key.sign(PAYLOAD)));
    await rejectsCode(loadSigningKey(made.privateKeyPem, 'password'), 'KEY_DECRYPT_FAILED');
  });
}

for (const algorithm of ['ecdsa-p256', 'ed25519'] as const) {
  test(`Provenant-written ${algorithm} key: Python decrypts it and checks Provenant's signature`, async () => {
    const password = 'correct horse battery staple ✓';
    const pair = await generateKeyPair(password, { algorithm });
    const signature = Buffer.from(await pair.signer.sign(PAYLOAD));
    const seen = python<Record<string, unknown>>(READ_KEY, {
      privateKeyPem: pair.privateKeyPem,
      publicKeyPem: pair.publicKeyPem,
      password,
      payload: PAYLOAD.toString('base64'),
      signature: signature.toString('base64'),
    });
    assert.equal(seen.beginLine, '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----');
    assert.equal(seen.endLine, '-----END ENCRYPTED SIGSTORE PRIVATE KEY-----');
    assert.deepEqual(seen.bodyMembers, ['kdf', 'cipher', 'ciphertext']);
    assert.deepEqual(seen.kdfMembers, ['name', 'params', 'salt']);
    assert.deepEqual(seen.cipherMembers, ['name', 'nonce']);
    assert.equal(seen.kdfName, 'scrypt');
    assert.equal(seen.cipherName, 'nacl/secretbox');
    assert.deepEqual(seen.params, { N: 65536, r: 8, p: 1 });
    assert.equal(seen.saltBytes, 32);
    assert.equal(seen.nonceBytes, 24);
    assert.equal(seen.keyType, algorithm === 'ecdsa-p256' ? '_EllipticCurvePrivateKey' : '_Ed25519PrivateKey');
    assert.equal(seen.publicKeyMatches, true);
    assert.equal(`sha256:${String(seen.spkiSha256)}`, pair.signer.keyId);
    assert.equal(seen.goodSignatureValid, true);
    assert.equal(seen.badSignatureValid, false);
    assert.ok(loadVerifier(pair.publicKeyPem).verify(PAYLOAD, Buffer.from(String(seen.pythonSignature), 'base64')));
  });
}
