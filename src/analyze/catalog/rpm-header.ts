// An RPM header blob as rpmdb stores it (the Packages.blob column of rpmdb.sqlite, and the values of the
// BerkeleyDB and ndb backends): the header without its 8-byte magic preamble, i.e.
//   il (int32 BE, number of index entries), dl (int32 BE, data store length),
//   il entries of 16 bytes: tag, type, offset (into the data store), count (all int32 BE),
//   dl bytes of data store.
// Each entry is checked as rpm's hdrblobVerifyInfo does: a known type, an offset inside the store and aligned
// for its type, and data that ends inside the store (strings NUL-terminated). Limits are rpm's own.
import { malformed, utf8Text } from './package.js';

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIREFLAGS: 1048,
  REQUIRENAME: 1049,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
} as const;

const Type = { Null: 0, Char: 1, Int8: 2, Int16: 3, Int32: 4, Int64: 5, String: 6, Bin: 7, StringArray: 8, I18nString: 9 } as const;
const WIDTH: Record<number, number> = { [Type.Char]: 1, [Type.Int8]: 1, [Type.Int16]: 2, [Type.Int32]: 4, [Type.Int64]: 8, [Type.Bin]: 1 };
const HEADER_TAGS_MAX = 0xffff;
const HEADER_DATA_MAX = 0x0fffffff;
const WHAT = 'RPM header';

interface Entry {
  type: number;
  offset: number;
  count: number;
}

export interface RpmHeader {
  /** A STRING tag, or the first string of an I18NSTRING or STRING_ARRAY tag. */
  string(tag: number): string | undefined;
  /** A STRING_ARRAY, I18NSTRING or STRING tag as a list. */
  strings(tag: number): string[] | undefined;
  /** An INT32 (or smaller integer) tag's values. */
  ints(tag: number): number[] | undefined;
}

/** Parses and checks an RPM header blob. Errors: PACKAGE_METADATA_MALFORMED. */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < 8) malformed(WHAT, 'shorter than its 8-byte preamble');
  const il = view.getInt32(0);
  const dl = view.getInt32(4);
  if (il < 1 || il > HEADER_TAGS_MAX) malformed(WHAT, `entry count ${il} is out of range`);
  if (dl < 0 || dl > HEADER_DATA_MAX) malformed(WHAT, `data length ${dl} is out of range`);
  const storeStart = 8 + il * 16;
  if (blob.length !== storeStart + dl) {
    malformed(WHAT, `is ${blob.length} bytes but its counts say ${storeStart + dl}`, { il, dl });
  }
  const store = blob.subarray(storeStart);
  const entries = new Map<number, Entry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = view.getInt32(at);
    const entry = { type: view.getUint32(at + 4), offset: view.getInt32(at + 8), count: view.getUint32(at + 12) };
    checkEntry(tag, entry, store);
    if (entries.has(tag)) malformed(WHAT, `tag ${tag} appears twice`, { tag });
    entries.set(tag, entry);
  }
  return new Header(entries, store);
}

function checkEntry(tag: number, e: Entry, store: Uint8Array): void {
  const bad = (reason: string): never => malformed(WHAT, `entry for tag ${tag} ${reason}`, { tag });
  if (e.type < Type.Null || e.type > Type.I18nString) bad(`has unknown type ${e.type}`);
  if (e.count < 1 || e.count > HEADER_DATA_MAX) bad(`has count ${e.count}`);
  if (e.type === Type.Null) return;
  if (e.offset < 0 || e.offset >= store.length) bad('points outside the data store');
  const width = WIDTH[e.type];
  if (width !== undefined) {
    if (e.offset % width !== 0) bad('is misaligned for its type');
    if (e.offset + e.count * width > store.length) bad('runs past the data store');
    return;
  }
  if (e.type === Type.String && e.count !== 1) bad('is a STRING with a count other than 1');
  // Each string takes at least its NUL; the terminators themselves are checked when the tag is read, so a
  // header of many entries sharing one long string array costs no more than reading it.
  if (e.count > store.length - e.offset) bad('has more strings than the data store has bytes');
}

class Header implements RpmHeader {
  constructor(
    private readonly entries: Map<number, Entry>,
    private readonly store: Uint8Array,
  ) {}

  string(tag: number): string | undefined {
    return this.strings(tag)?.[0];
  }

  strings(tag: number): string[] | undefined {
    const e = this.entries.get(tag);
    if (e === undefined) return undefined;
    if (e.type !== Type.String && e.type !== Type.StringArray && e.type !== Type.I18nString) {
      malformed(WHAT, `tag ${tag} has type ${e.type}, not a string type`, { tag });
    }
    const out: string[] = [];
    let at = e.offset;
    for (let n = 0; n < e.count; n++) {
      const nul = this.store.indexOf(0, at);
      if (nul < 0) malformed(WHAT, `tag ${tag} has a string that is not NUL-terminated`, { tag });
      out.push(utf8Text(this.store.subarray(at, nul)));
      at = nul + 1;
    }
    return out;
  }

  ints(tag: number): number[] | undefined {
    const e = this.entries.get(tag);
    if (e === undefined) return undefined;
    const width = e.type === Type.Int32 ? 4 : e.type === Type.Int16 ? 2 : e.type === Type.Int8 || e.type === Type.Char ? 1 : 0;
    if (width === 0) malformed(WHAT, `tag ${tag} has type ${e.type}, not an integer type`, { tag });
    const view = new DataView(this.store.buffer, this.store.byteOffset + e.offset, e.count * width);
    const out: number[] = [];
    for (let n = 0; n < e.count; n++) {
      out.push(width === 4 ? view.getUint32(n * 4) : width === 2 ? view.getUint16(n * 2) : view.getUint8(n));
    }
    return out;
  }
}
