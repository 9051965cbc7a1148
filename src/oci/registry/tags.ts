// Tag listing (distribution-spec "Listing Tags"), following Link pagination.
import { ProvenantError } from '../../core/errors.js';
import { parseJsonObject, type JsonObject } from '../../core/json.js';
import { readBounded } from './body.js';
import { isValidTag } from './names.js';
import { forEachPage } from './pagination.js';
import { registryError } from './registry-errors.js';
import type { RegistrySession } from './session.js';

const MAX_PAGE_BYTES = 4 * 1024 * 1024;
export const MAX_TAGS = 100_000;

export interface ListTagsOptions {
  /** Page size asked for with ?n= (the registry may send fewer). */
  pageSize?: number;
}

export async function listTags(session: RegistrySession, options: ListTagsOptions = {}): Promise<string[]> {
  const what = `tags of ${session.name}`;
  const first = session.url('tags/list');
  if (options.pageSize !== undefined) {
    if (!Number.isSafeInteger(options.pageSize) || options.pageSize < 1) throw new ProvenantError('USAGE', 'pageSize must be a positive integer');
    first.searchParams.set('n', String(options.pageSize));
  }
  const tags: string[] = [];
  await forEachPage(session, first, { accept: 'application/json' }, async (res) => {
    if (res.status !== 200) throw await registryError(res, 'tags', what);
    const list = pageJson(await readBounded(res, MAX_PAGE_BYTES, what), what).tags;
    if (list === null || list === undefined) return;
    if (!Array.isArray(list) || !list.every((t): t is string => typeof t === 'string' && isValidTag(t))) {
      throw new ProvenantError('REGISTRY_PROTOCOL', `${what}: "tags" is not a list of tags`);
    }
    if (tags.length + list.length > MAX_TAGS) throw new ProvenantError('INPUT_TOO_LARGE', `${what}: more than ${MAX_TAGS} tags`);
    tags.push(...list);
  });
  return tags;
}

function pageJson(bytes: Buffer, what: string): JsonObject {
  try {
    return parseJsonObject(bytes, what, { maxDepth: 8 });
  } catch (cause) {
    throw new ProvenantError('REGISTRY_PROTOCOL', `${what}: the answer is not a JSON object`, { cause });
  }
}
