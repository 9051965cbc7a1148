import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';
import {
  MAX_NOTIFICATION_EVENTS,
  parseRegistryNotification,
  parseRegistryNotificationBytes,
  type IgnoreReason,
} from '../../src/ingest/registry-events.js';

const MANIFEST = 'sha256:9a3efb436db1ff04248bc57012eca073696a9c9945860574b4233f745a8dc081';
const BLOB = 'sha256:0e11d843b6c549689858dd7ed4934c5ed8802795e9da324128519f21d2537e6c';

/** An event as docker-registry 2.8.2 sends it for `skopeo copy ... docker://127.0.0.1:18998/demo/app:v2`. */
function registryEvent(overrides: { action?: string; target?: Record<string, unknown>; request?: Record<string, unknown>; extra?: Record<string, unknown> } = {}) {
  return {
    id: '5723d458-4c2e-4faa-90d1-3265aa2a8093',
    timestamp: '2026-11-22T05:50:36.971862521Z',
    action: overrides.action ?? 'push',
    target: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 345,
      digest: MANIFEST,
      length: 345,
      repository: 'demo/app',
      url: `http://127.0.0.1:18998/v2/demo/app/manifests/${MANIFEST}`,
      tag: 'v2',
      ...overrides.target,
    },
    request: {
      id: '42a266de-5c1d-40d4-8528-19be3c39dd01',
      addr: '127.0.0.1:49266',
      host: '127.0.0.1:18998',
      method: 'PUT',
      useragent: 'skopeo/1.9.3',
      ...overrides.request,
    },
    actor: {},
    source: { addr: 'vm:18998', instanceID: 'bdeb6369-21d3-44b0-a87e-8de5b2cec25a' },
    ...overrides.extra,
  };
}

/** Through JSON text, as a body arrives: fields set to undefined above are absent. */
function parse(body: unknown) {
  return parseRegistryNotificationBytes(typeof body === 'string' ? body : JSON.stringify(body));
}

function refused(body: unknown, code: ErrorCode = 'NOTIFICATION_MALFORMED'): void {
  assert.throws(
    () => parse(body),
    (e: unknown) => e instanceof ProvenantError && e.code === code,
  );
}

function reasons(body: unknown): IgnoreReason[] {
  return parse(body).ignored.map((i) => i.reason);
}

test('a manifest push as the registry sends it is kept with its registry, repository, digest and tag', () => {
  const bytes = Buffer.from(JSON.stringify({ events: [registryEvent()] }, null, 3));
  const parsed = parseRegistryNotificationBytes(bytes);
  assert.equal(parsed.received, 1);
  assert.deepEqual(parsed.ignored, []);
  assert.deepEqual(parsed.pushes, [
    {
      id: '5723d458-4c2e-4faa-90d1-3265aa2a8093',
      registry: '127.0.0.1:18998',
      repository: 'demo/app',
      digest: MANIFEST,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 345,
      tag: 'v2',
      timestamp: '2026-11-22T05:50:36.971862521Z',
    },
  ]);
});

test('the envelope of the distribution docs: the manifest push is kept, layer pushes are ignored', () => {
  // notifications/event_test.go, with a real digest in place of the docs' shortened one.
  const layer = (n: number) =>
    registryEvent({
      target: { mediaType: 'application/vnd.docker.container.image.rootfs.diff+x-gtar', digest: BLOB, size: n, length: n, tag: undefined },
      request: { host: 'registrycluster.local', addr: 'client.local', useragent: 'test/0.1' },
      extra: { actor: { name: 'test-actor' }, source: { addr: 'hostname.local:port' } },
    });
  const manifest = registryEvent({
    target: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', repository: 'library/test', url: 'http://example.com/v2/library/test/manifests/latest', tag: undefined },
    request: { host: 'registrycluster.local' },
  });
  const parsed = parse({ events: [manifest, layer(2), layer(3)] });
  assert.equal(parsed.received, 3);
  assert.equal(parsed.pushes.length, 1);
  assert.equal(parsed.pushes[0]!.registry, 'registrycluster.local');
  assert.equal(parsed.pushes[0]!.repository, 'library/test');
  assert.equal(parsed.pushes[0]!.tag, undefined);
  assert.deepEqual(parsed.ignored, [
    { position: 1, reason: 'not-manifest' },
    { position: 2, reason: 'not-manifest' },
  ]);
});

test('pulls, deletes, mounts, blob pushes and unknown actions are ignored, not refused', () => {
  const events = [
    registryEvent({ action: 'pull' }),
    registryEvent({ action: 'delete', target: { mediaType: undefined, size: undefined, length: undefined, url: undefined, tag: undefined } }),
    registryEvent({ action: 'mount', target: { mediaType: 'application/octet-stream', fromRepository: 'other/app' } }),
    registryEvent({ target: { mediaType: 'application/octet-stream', digest: BLOB } }),
    registryEvent({ action: 'replicate' }),
    registryEvent({ extra: { action: undefined } }),
  ];
  assert.deepEqual(reasons({ events }), ['not-push', 'not-push', 'not-push', 'not-manifest', 'unknown-action', 'unknown-action']);
});

test('every manifest and index media type is kept; an OCI artifact manifest is not', () => {
  const types = [
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
  ];
  const parsed = parse({ events: types.map((mediaType) => registryEvent({ target: { mediaType } })) });
  assert.deepEqual(parsed.pushes.map((p) => p.mediaType), types);
  assert.deepEqual(reasons({ events: [registryEvent({ target: { mediaType: 'application/vnd.oci.artifact.manifest.v1+json' } })] }), ['not-manifest']);
});

test('unknown fields the registry adds in later versions are tolerated', () => {
  const event = registryEvent({
    target: { references: [{ mediaType: 'x/y', digest: BLOB, size: 1 }], annotations: { a: 'b' }, artifactType: 'x/y' },
    request: { newField: [1, 2, 3] },
    extra: { extension: { nested: true } },
  });
  const parsed = parse({ events: [event], version: 2 });
  assert.equal(parsed.pushes.length, 1);
});

test('well-typed events that cannot be used are ignored with a reason', () => {
  assert.deepEqual(
    reasons({
      events: [
        registryEvent({ target: { digest: 'sha512:' + 'a'.repeat(128) } }),
        registryEvent({ target: { digest: 'sha256:0123456789abcdef0' } }),
        registryEvent({ target: { digest: undefined } }),
        registryEvent({ target: { repository: 'Upper/Case' } }),
        registryEvent({ target: { repository: undefined } }),
        registryEvent({ target: { tag: '-starts-with-dash' } }),
        registryEvent({ request: { host: 'bad host' } }),
        registryEvent({ request: { host: undefined }, target: { url: undefined } }),
      ],
    }),
    ['digest-unsupported', 'digest-invalid', 'no-digest', 'repository-invalid', 'no-repository', 'tag-invalid', 'registry-invalid', 'no-registry'],
  );
});

test('without request.host the registry is taken from target.url, lowercased', () => {
  const parsed = parse({ events: [registryEvent({ request: { host: undefined }, target: { url: `https://Registry.Example:5000/v2/demo/app/manifests/${MANIFEST}` } })] });
  assert.equal(parsed.pushes[0]!.registry, 'registry.example:5000');
});

test('an envelope without events (the registry omits an empty list) holds nothing', () => {
  const parsed = parseRegistryNotification({});
  assert.equal(parsed.received, 0);
  assert.deepEqual(parsed.pushes, []);
});

test('bodies of the wrong shape are NOTIFICATION_MALFORMED', () => {
  refused([]);
  refused('null');
  refused({ events: {} });
  refused({ events: ['push'] });
  refused({ events: [registryEvent({ extra: { action: 7 } })] });
  refused({ events: [registryEvent({ extra: { target: [] } })] });
  refused({ events: [registryEvent({ target: { digest: 42 } })] });
  refused({ events: [registryEvent({ target: { size: -1 } })] });
  refused({ events: [registryEvent({ target: { size: 1.5 } })] });
  refused({ events: [registryEvent({ target: { length: '345' } })] });
  refused({ events: [registryEvent({ target: { tag: null } })] });
  refused({ events: [registryEvent({ target: { references: {} } })] });
  refused({ events: [registryEvent({ request: { host: ['a'] } })] });
  refused({ events: [registryEvent({ extra: { request: 'PUT' } })] });
  refused({ events: [registryEvent({ extra: { timestamp: 'yesterday' } })] });
  refused({ events: [registryEvent({ extra: { id: { uuid: 1 } } })] });
});

test('oversized notifications are refused: too many events, over-long strings', () => {
  const ok = parse({ events: Array.from({ length: MAX_NOTIFICATION_EVENTS }, () => registryEvent({ action: 'pull' })) });
  assert.equal(ok.received, MAX_NOTIFICATION_EVENTS);
  refused({ events: Array.from({ length: MAX_NOTIFICATION_EVENTS + 1 }, () => registryEvent({ action: 'pull' })) });
  refused({ events: [registryEvent({ target: { url: `http://x/${'a'.repeat(5000)}` } })] });
  refused({ events: [registryEvent({ target: { repository: 'a'.repeat(256) } })] });
  refused({ events: [registryEvent({ extra: { id: 'i'.repeat(300) } })] });
});

test('JSON that is not strictly valid is refused by the strict parser', () => {
  refused('{"events": [], "events": []}', 'JSON_DUPLICATE_KEY');
  refused('{"events": [', 'JSON_MALFORMED');
  refused(`{"events": ${'['.repeat(40)}${']'.repeat(40)}}`, 'JSON_TOO_DEEP');
});
