// Paginated listings (tags, referrers): the registry puts the next page in a Link header (RFC 8288) with
// rel="next". The next URL must stay on the registry and on the same endpoint, must not repeat, and the
// number of pages is bounded, so a hostile registry cannot loop us or send us elsewhere with our token.
import { ProvenantError } from '../../core/errors.js';
import type { HttpResponse } from './body.js';
import type { RegistrySession } from './session.js';

export const MAX_PAGES = 1000;

/** The target of the first rel="next" link, or undefined. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header;
  if (text === undefined || text.length > 16 * 1024) return undefined;
  for (const m of text.matchAll(/<([^>]*)>([^<]*)/g)) {
    for (const p of (m[2] ?? '').matchAll(/;\s*([A-Za-z*]+)\s*=\s*(?:"([^"]*)"|([^;,\s]*))/g)) {
      const rel = (p[2] ?? p[3] ?? '').toLowerCase().split(/\s+/);
      if (p[1]?.toLowerCase() === 'rel' && rel.includes('next')) return m[1];
    }
  }
  return undefined;
}

/** Walks the pages of a listing starting at `first`, handing each answer to `page`. */
export async function forEachPage(
  session: RegistrySession,
  first: URL,
  headers: Record<string, string>,
  page: (res: HttpResponse) => Promise<void>,
): Promise<void> {
  const seen = new Set<string>();
  let url = first;
  for (let count = 0; ; count++) {
    if (count === MAX_PAGES) throw new ProvenantError('INPUT_TOO_LARGE', `${session.name}: more than ${MAX_PAGES} pages in a listing`);
    seen.add(url.href);
    const res = await session.request({ method: 'GET', path: url, access: 'pull', headers });
    const link = nextLink(res.headers.link);
    await page(res);
    if (link === undefined) return;
    const next = session.resolve(link, res.url);
    if (next.origin !== first.origin || next.pathname !== first.pathname) {
      throw new ProvenantError('REGISTRY_PROTOCOL', `${session.name}: the next page link leaves the listing`);
    }
    if (seen.has(next.href)) throw new ProvenantError('REGISTRY_PROTOCOL', `${session.name}: the next page link loops`);
    url = next;
  }
}
