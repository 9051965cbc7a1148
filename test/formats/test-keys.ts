// Minimal Signer/Verifier pairs over node:crypto for the format tests; src/crypto has the real ones.
import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm, Signer, Verifier } from '../../src/crypto/signer.js';

export interface TestKeyPair {
  signer: Signer;
  verifier: Verifier;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
}

export function testKeyPair(algorithm: KeyAlgorithm = 'ecdsa-p256'): TestKeyPair {
  const { privateKey, publicKey } =
    algorithm === 'ecdsa-p256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = `sha256:${createHash('sha256').update(der).digest('hex')}`;
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const hash = algorithm === 'ecdsa-p256' ? 'sha256' : null;
  const signer: Signer = {
    algorithm,
    keyId,
    sign: async (data) => sign(hash, data, privateKey),
    publicKeyPem: () => publicKeyPem,
  };
  const verifier: Verifier = {
    algorithm,
    keyId,
    verify: (data, signature) => {
      try {
        return verify(hash, data, publicKey, signature);
      } catch {
        return false;
      }
    },
    publicKeyPem: () => publicKeyPem,
  };
  return { signer, verifier, privateKey, publicKey, publicKeyPem };
}
