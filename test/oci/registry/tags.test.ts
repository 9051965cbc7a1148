import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { RegistryClient } from '../../../src/oci/registry/client.js';
import { nextLink } from '../../../src/oci/registry/pagination.js';
import { MemoryRegistry } from './memory-registry.js';
import { send, sendError, sendJson, startScripted, type Handler } from './scripted-server.js';

const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;

async function withClient(handler: Handler, run: (client: RegistryClient, requests: () => number) => Promise<void>): Promise<void> {
  const s = await startScripted(handler);
  const client = new RegistryClient({ registry: s.host, repository: 'team/app', retry: { maxAttempts: 1 } });
  try {
    await run(client, () => s.requests.length);
  } finally {
    await client.close();
    await s.close();
  }
}

test('scripted registry: tags are listed across Link pages', async () => {
  const mem = new MemoryRegistry();
  for (const t of ['v1', 'v2', 'v3', 'latest', 'dev']) mem.putManifest(Buffer.from(`{"t":"${t}"}`), 'application/json', t);
  await withClient(mem.handler, async (client, requests) => {
    assert.deepEqual(await client.listTags({ pageSize: 2 }), ['dev', 'latest', 'v1', 'v2', 'v3']);
    assert.equal(requests(), 3);
    assert.deepEqual(await client.listTags(), ['dev', 'latest', 'v1', 'v2', 'v3']);
    await assert.rejects(client.listTags({ pageSize: 0 }), isCode('USAGE'));
  });
});

test('scripted registry: a next link to another origin or path, or one that loops, is REGISTRY_PROTOCOL', async () => {
  for (const link of ['<http://127.0.0.1:1/v2/team/app/tags/list?last=a>; rel="next"', '</v2/other/tags/list?last=a>; rel="next"', '</v2/team/app/tags/list>; rel="next"']) {
    await withClient(
      (_req, res) => sendJson(res, 200, { name: 'team/app', tags: ['a'] }, { link }),
      async (client) => {
        await assert.rejects(client.listTags(), isCode('REGISTRY_PROTOCOL'), link);
      },
    );
  }
});

test('scripted registry: tag list bodies are checked', async () => {
  let body: unknown = { name: 'team/app', tags: null };
  await withClient(
    (_req, res) => (body === 404 ? sendError(res, 404, 'NAME_UNKNOWN') : send(res, 200, typeof body === 'string' ? body : JSON.stringify(body))),
    async (client) => {
      assert.deepEqual(await client.listTags(), []);
      for (const bad of [{ tags: 'v1' }, { tags: ['ok', 'not a tag'] }, { tags: [1] }, 'not json', '[]']) {
        body = bad;
        await assert.rejects(client.listTags(), isCode('REGISTRY_PROTOCOL'), JSON.stringify(bad));
      }
      body = 404;
      await assert.rejects(client.listTags(), isCode('MANIFEST_NOT_FOUND'));
    },
  );
});

test('Link header parsing', () => {
  assert.equal(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"'), '/v2/a/tags/list?n=2&last=b');
  assert.equal(nextLink('<https://r/x>; rel=next'), 'https://r/x');
  assert.equal(nextLink('<https://r/prev>; rel="prev", <https://r/next>; title="t"; rel="next last"'), 'https://r/next');
  assert.equal(nextLink('<https://r/x>; REL="Next"'), 'https://r/x');
  assert.equal(nextLink(['<https://r/a>; rel="prev"', '<https://r/b>; rel="next"']), 'https://r/b');
  for (const none of [undefined, '', '<https://r/x>', '<https://r/x>; rel="prev"', 'https://r/x; rel="next"']) {
    assert.equal(nextLink(none), undefined, String(none));
  }
});
