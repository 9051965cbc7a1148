#!/usr/bin/python3
"""An independent implementation of cosign's registry formats, for interoperability tests of Provenant.

Written from the cosign specifications, not from Provenant's code:
  - specs/SIGNATURE_SPEC.md: a simple-signing payload naming the image digest, stored as a layer of media
    type application/vnd.dev.cosign.simplesigning.v1+json in the manifest tagged sha256-<hex>.sig, with the
    base64 ECDSA P-256/SHA-256 DER signature in the layer annotation dev.cosignproject.cosign/signature;
  - specs/ATTESTATION_SPEC.md: an in-toto Statement in a DSSE envelope, stored as a layer of media type
    application/vnd.dsse.envelope.v1+json in the manifest tagged sha256-<hex>.att, annotated predicateType;
  - cosign's encrypted key file: PEM "ENCRYPTED SIGSTORE PRIVATE KEY" around base64 JSON
    {kdf: {name: scrypt, params: {N, r, p}, salt}, cipher: {name: nacl/secretbox, nonce}, ciphertext},
    the ciphertext being PKCS#8 sealed with NaCl secretbox under scrypt(password, salt).

Only the standard library (urllib speaks the distribution HTTP API to a plain-HTTP registry) plus pyca
cryptography and PyNaCl. The key password comes from COSIGN_PASSWORD, as cosign reads it.

Exit status: 0 success; 1 verification found nothing valid; 2 usage; 3 any other failure.
"""
import argparse
import base64
import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

import nacl.secret
import nacl.utils
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json'
DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json'
SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature'
PREDICATE_TYPE_ANNOTATION = 'predicateType'
COSIGN_SIGNATURE_TYPE = 'cosign container image signature'
IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'
# cosign still writes v0.1 statements with `cosign attest`.
STATEMENT_TYPE = 'https://in-toto.io/Statement/v0.1'
OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
MANIFEST_ACCEPT = ', '.join([
    OCI_MANIFEST,
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
])
PEM_LABEL = 'ENCRYPTED SIGSTORE PRIVATE KEY'
# cosign's scrypt parameters for new keys.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 32768, 8, 1


class VerificationFailed(Exception):
    pass


class UsageError(Exception):
    pass


def b64e(data):
    return base64.b64encode(data).decode('ascii')


def sha256_digest(data):
    return 'sha256:' + hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- keys

def password():
    value = os.environ.get('COSIGN_PASSWORD')
    if value is None:
        raise UsageError('set COSIGN_PASSWORD')
    return value.encode('utf-8')


def box_key(secret, salt, params):
    n, r, p = params['N'], params['r'], params['p']
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 2 ** 24, dklen=32)


def pem_wrap(label, body):
    text = b64e(body)
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return '-----BEGIN %s-----\n%s\n-----END %s-----\n' % (label, '\n'.join(lines), label)


def pem_unwrap(text, label):
    lines = [line.strip() for line in text.strip().splitlines()]
    if lines[0] != '-----BEGIN %s-----' % label or lines[-1] != '-----END %s-----' % label:
        raise ValueError('not a PEM block labelled %s' % label)
    return base64.b64decode(''.join(lines[1:-1]), validate=True)


def genkey(args):
    key = ec.generate_private_key(ec.SECP256R1())
    pkcs8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    params = {'N': SCRYPT_N, 'r': SCRYPT_R, 'p': SCRYPT_P}
    salt, nonce = os.urandom(32), nacl.utils.random(nacl.secret.SecretBox.NONCE_SIZE)
    sealed = nacl.secret.SecretBox(box_key(password(), salt, params)).encrypt(pkcs8, nonce).ciphertext
    body = json.dumps({
        'kdf': {'name': 'scrypt', 'params': params, 'salt': b64e(salt)},
        'cipher': {'name': 'nacl/secretbox', 'nonce': b64e(nonce)},
        'ciphertext': b64e(sealed),
    }).encode('utf-8')
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with open(args.output_key_prefix + '.key', 'w', encoding='ascii') as f:
        f.write(pem_wrap(PEM_LABEL, body))
    with open(args.output_key_prefix + '.pub', 'wb') as f:
        f.write(public)
    json.dump({'privateKey': args.output_key_prefix + '.key', 'publicKey': args.output_key_prefix + '.pub'}, sys.stdout)
    return 0


def load_private_key(path):
    with open(path, encoding='ascii') as f:
        body = json.loads(pem_unwrap(f.read(), PEM_LABEL))
    kdf, cipher = body['kdf'], body['cipher']
    if kdf['name'] != 'scrypt' or cipher['name'] != 'nacl/secretbox':
        raise ValueError('unsupported key encryption %s/%s' % (kdf['name'], cipher['name']))
    key = box_key(password(), base64.b64decode(kdf['salt']), kdf['params'])
    pkcs8 = nacl.secret.SecretBox(key).decrypt(base64.b64decode(body['ciphertext']), base64.b64decode(cipher['nonce']))
    private = serialization.load_der_private_key(pkcs8, None)
    if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != 'secp256r1':
        raise ValueError('only ECDSA P-256 keys are supported here')
    return private


def load_public_key(path):
    with open(path, 'rb') as f:
        public = serialization.load_pem_public_key(f.read())
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise ValueError('only ECDSA public keys are supported here')
    return public


def sign_bytes(private, data):
    return private.sign(data, ec.ECDSA(hashes.SHA256()))


def signature_valid(public, signature, data):
    try:
        public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


# ---------------------------------------------------------------- registry (distribution HTTP API, plain HTTP)

class Reference:
    def __init__(self, text):
        host, _, rest = text.partition('/')
        if not rest or ('.' not in host and ':' not in host and host != 'localhost'):
            raise UsageError('give HOST[:PORT]/REPOSITORY[:TAG|@DIGEST], not %r' % text)
        if '@' in rest:
            self.repository, _, self.reference = rest.partition('@')
        else:
            slash = rest.rfind('/')
            colon = rest.rfind(':')
            self.repository, self.reference = (rest[:colon], rest[colon + 1:]) if colon > slash else (rest, 'latest')
        self.host = host

    @property
    def name(self):
        return '%s/%s' % (self.host, self.repository)

    def url(self, path):
        return 'http://%s/v2/%s/%s' % (self.host, self.repository, path)


def http(method, url, body=None, headers=None, ok=(200,)):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status not in ok:
                raise RuntimeError('%s %s: HTTP %d' % (method, url, response.status))
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        if e.code in ok:
            return e.code, e.headers, e.read()
        raise RuntimeError('%s %s: HTTP %d %s' % (method, url, e.code, e.read()[:500])) from None


def get_manifest(ref, tag_or_digest, missing_ok=False):
    status, headers, body = http('GET', ref.url('manifests/' + tag_or_digest), headers={'Accept': MANIFEST_ACCEPT},
                                 ok=(200, 404) if missing_ok else (200,))
    if status == 404:
        return None, None
    digest = sha256_digest(body)
    served = headers.get('Docker-Content-Digest')
    if served is not None and served != digest:
        raise RuntimeError('registry says %s but the manifest hashes to %s' % (served, digest))
    if tag_or_digest.startswith('sha256:') and tag_or_digest != digest:
        raise RuntimeError('manifest %s hashes to %s' % (tag_or_digest, digest))
    return body, digest


def put_manifest(ref, tag, body, media_type):
    http('PUT', ref.url('manifests/' + tag), body=body, headers={'Content-Type': media_type}, ok=(201,))


def get_blob(ref, digest):
    _, _, body = http('GET', ref.url('blobs/' + digest))
    if sha256_digest(body) != digest:
        raise RuntimeError('blob %s does not match its digest' % digest)
    return body


def push_blob(ref, data):
    digest = sha256_digest(data)
    status, _, _ = http('HEAD', ref.url('blobs/' + digest), ok=(200, 404))
    if status == 200:
        return digest
    _, headers, _ = http('POST', ref.url('blobs/uploads/'), body=b'', ok=(202,))
    location = urllib.parse.urljoin('http://%s/' % ref.host, headers['Location'])
    location += ('&' if '?' in location else '?') + urllib.parse.urlencode({'digest': digest})
    http('PUT', location, body=data, headers={'Content-Type': 'application/octet-stream'}, ok=(201,))
    return digest


def resolve(ref):
    """The digest of the manifest the reference names (by tag or by digest)."""
    _, digest = get_manifest(ref, ref.reference)
    return digest


def attachment_tag(digest, kind):
    algorithm, _, hexpart = digest.partition(':')
    return '%s-%s.%s' % (algorithm, hexpart, kind)


def append_layer(ref, digest, kind, payload, media_type, annotations):
    """Adds a layer to the image's .sig/.att manifest, keeping the layers already there (as cosign does)."""
    tag = attachment_tag(digest, kind)
    existing, _ = get_manifest(ref, tag, missing_ok=True)
    layers = json.loads(existing)['layers'] if existing is not None else []
    layer = {'mediaType': media_type, 'size': len(payload), 'digest': push_blob(ref, payload), 'annotations': annotations}
    layers.append(layer)
    config = json.dumps({
        'architecture': '', 'os': '', 'config': {},
        'rootfs': {'type': 'layers', 'diff_ids': [layer['digest'] for layer in layers]},
    }).encode('utf-8')
    manifest = {
        'schemaVersion': 2,
        'mediaType': OCI_MANIFEST,
        'config': {'mediaType': OCI_CONFIG, 'size': len(config), 'digest': push_blob(ref, config)},
        'layers': layers,
    }
    put_manifest(ref, tag, json.dumps(manifest).encode('utf-8'), OCI_MANIFEST)
    return tag


def attached_layers(ref, digest, kind):
    body, _ = get_manifest(ref, attachment_tag(digest, kind), missing_ok=True)
    if body is None:
        return []
    return [(layer, get_blob(ref, layer['digest'])) for layer in json.loads(body)['layers']]


# ---------------------------------------------------------------- signatures

def simple_signing_payload(docker_reference, digest):
    # Go's encoding/json output for cosign's SimpleContainerImage: declaration order, no spaces.
    return json.dumps({
        'critical': {
            'identity': {'docker-reference': docker_reference},
            'image': {'docker-manifest-digest': digest},
            'type': COSIGN_SIGNATURE_TYPE,
        },
        'optional': None,
    }, separators=(',', ':')).encode('utf-8')


def sign(args):
    ref = Reference(args.image)
    private = load_private_key(args.key)
    digest = resolve(ref)
    payload = simple_signing_payload(ref.name, digest)
    signature = b64e(sign_bytes(private, payload))
    tag = append_layer(ref, digest, 'sig', payload, SIMPLE_SIGNING_MEDIA_TYPE, {SIGNATURE_ANNOTATION: signature})
    json.dump({'digest': digest, 'tag': tag, 'signature': signature}, sys.stdout)
    return 0


def verify(args):
    ref = Reference(args.image)
    public = load_public_key(args.key)
    digest = resolve(ref)
    verified = []
    for layer, payload in attached_layers(ref, digest, 'sig'):
        try:
            if layer.get('mediaType') != SIMPLE_SIGNING_MEDIA_TYPE:
                raise VerificationFailed('layer media type %s' % layer.get('mediaType'))
            encoded = (layer.get('annotations') or {}).get(SIGNATURE_ANNOTATION, '')
            if not signature_valid(public, base64.b64decode(encoded), payload):
                raise VerificationFailed('signature does not verify with the key')
            document = json.loads(payload)
            critical = document['critical']
            if critical['type'] != COSIGN_SIGNATURE_TYPE:
                raise VerificationFailed('payload type %r' % critical['type'])
            if critical['image']['docker-manifest-digest'] != digest:
                raise VerificationFailed('payload names %s, not %s' % (critical['image']['docker-manifest-digest'], digest))
            verified.append(document)
        except (VerificationFailed, ValueError, KeyError, TypeError) as e:
            print('rejected layer %s: %s' % (layer.get('digest'), e), file=sys.stderr)
    json.dump(verified, sys.stdout)
    return 0 if verified else 1


# ---------------------------------------------------------------- attestations

def pae(payload_type, payload):
    """DSSE v1 pre-authentication encoding."""
    t = payload_type.encode('utf-8')
    return b'DSSEv1 %d %s %d %s' % (len(t), t, len(payload), payload)


def attest(args):
    ref = Reference(args.image)
    private = load_private_key(args.key)
    digest = resolve(ref)
    with open(args.predicate, encoding='utf-8') as f:
        predicate = json.load(f)
    statement = json.dumps({
        '_type': STATEMENT_TYPE,
        'predicateType': args.type,
        'subject': [{'name': ref.name, 'digest': {'sha256': digest.partition(':')[2]}}],
        'predicate': predicate,
    }).encode('utf-8')
    signature = sign_bytes(private, pae(IN_TOTO_PAYLOAD_TYPE, statement))
    envelope = json.dumps({
        'payloadType': IN_TOTO_PAYLOAD_TYPE,
        'payload': b64e(statement),
        'signatures': [{'keyid': '', 'sig': b64e(signature)}],
    }).encode('utf-8')
    annotations = {SIGNATURE_ANNOTATION: '', PREDICATE_TYPE_ANNOTATION: args.type}
    tag = append_layer(ref, digest, 'att', envelope, DSSE_MEDIA_TYPE, annotations)
    json.dump({'digest': digest, 'tag': tag}, sys.stdout)
    return 0


def verify_attestation(args):
    ref = Reference(args.image)
    public = load_public_key(args.key)
    digest = resolve(ref)
    verified = []
    for layer, body in attached_layers(ref, digest, 'att'):
        try:
            if layer.get('mediaType') != DSSE_MEDIA_TYPE:
                raise VerificationFailed('layer media type %s' % layer.get('mediaType'))
            envelope = json.loads(body)
            if envelope['payloadType'] != IN_TOTO_PAYLOAD_TYPE:
                raise VerificationFailed('payload type %r' % envelope['payloadType'])
            payload = base64.b64decode(envelope['payload'], validate=True)
            message = pae(envelope['payloadType'], payload)
            if not any(signature_valid(public, base64.b64decode(s['sig']), message) for s in envelope['signatures']):
                raise VerificationFailed('no envelope signature verifies with the key')
            statement = json.loads(payload)
            if args.type is not None and statement['predicateType'] != args.type:
                continue
            if not any(s['digest'].get('sha256') == digest.partition(':')[2] for s in statement['subject']):
                raise VerificationFailed('statement subjects do not include %s' % digest)
            verified.append(statement)
        except (VerificationFailed, ValueError, KeyError, TypeError) as e:
            print('rejected layer %s: %s' % (layer.get('digest'), e), file=sys.stderr)
    json.dump(verified, sys.stdout)
    return 0 if verified else 1


# ---------------------------------------------------------------- tagging

def copy_manifest(args):
    """Puts the manifest a reference names, byte for byte, under another tag of the same repository."""
    ref = Reference(args.source)
    body, digest = get_manifest(ref, ref.reference)
    put_manifest(ref, args.tag, body, json.loads(body).get('mediaType', OCI_MANIFEST))
    json.dump({'digest': digest, 'tag': args.tag}, sys.stdout)
    return 0


def main(argv):
    parser = argparse.ArgumentParser(prog='cosign_registry.py', description=__doc__.split('\n')[0])
    commands = parser.add_subparsers(dest='command', required=True)
    p = commands.add_parser('genkey', help='write PREFIX.key (encrypted with COSIGN_PASSWORD) and PREFIX.pub')
    p.add_argument('--output-key-prefix', default='cosign')
    p.set_defaults(run=genkey)
    for name, run in (('sign', sign), ('verify', verify)):
        p = commands.add_parser(name)
        p.add_argument('--key', required=True)
        p.add_argument('image')
        p.set_defaults(run=run)
    p = commands.add_parser('attest')
    p.add_argument('--key', required=True)
    p.add_argument('--predicate', required=True)
    p.add_argument('--type', required=True, help='predicate type URI')
    p.add_argument('image')
    p.set_defaults(run=attest)
    p = commands.add_parser('verify-attestation')
    p.add_argument('--key', required=True)
    p.add_argument('--type', help='predicate type URI')
    p.add_argument('image')
    p.set_defaults(run=verify_attestation)
    p = commands.add_parser('copy-manifest', help='tag the manifest SOURCE names as TAG in the same repository')
    p.add_argument('source')
    p.add_argument('tag')
    p.set_defaults(run=copy_manifest)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as e:
        print('cosign_registry: %s' % e, file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - any crash must be told apart from "verification failed" (1)
        print('cosign_registry: %s: %s' % (type(e).__name__, e), file=sys.stderr)
        return 3


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
