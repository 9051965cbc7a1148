// Builds RPM header blobs as rpmdb stores them (no 8-byte magic preamble): il, dl, il index entries sorted by
// tag, then the data store with each value aligned for its type and, as rpm writes an immutable header, a
// HEADERIMMUTABLE (63) region entry whose 16-byte trailer closes the data store.
export type RpmValue =
  | { tag: number; type: 'string'; value: string }
  | { tag: number; type: 'strings' | 'i18n'; value: string[] }
  | { tag: number; type: 'int32' | 'int16'; value: number[] }
  | { tag: number; type: 'bin'; value: Buffer };

const TYPE = { int16: 3, int32: 4, string: 6, bin: 7, strings: 8, i18n: 9 } as const;
const HEADERIMMUTABLE = 63;

export function rpmHeaderBlob(values: RpmValue[]): Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  const index: Array<[number, number, number, number]> = [];
  for (const v of [...values].sort((a, b) => a.tag - b.tag)) {
    const align = v.type === 'int32' ? 4 : v.type === 'int16' ? 2 : 1;
    if (size % align !== 0) {
      chunks.push(Buffer.alloc(align - (size % align)));
      size += align - (size % align);
    }
    let data: Buffer;
    let count: number;
    switch (v.type) {
      case 'string':
        [data, count] = [Buffer.from(`${v.value}\0`), 1];
        break;
      case 'strings':
      case 'i18n':
        [data, count] = [Buffer.from(v.value.map((s) => `${s}\0`).join('')), v.value.length];
        break;
      case 'int32':
      case 'int16': {
        const width = v.type === 'int32' ? 4 : 2;
        data = Buffer.alloc(v.value.length * width);
        v.value.forEach((n, i) => (width === 4 ? data.writeUInt32BE(n, i * 4) : data.writeUInt16BE(n, i * 2)));
        count = v.value.length;
        break;
      }
      case 'bin':
        [data, count] = [v.value, v.value.length];
        break;
    }
    index.push([v.tag, TYPE[v.type], size, count]);
    chunks.push(data);
    size += data.length;
  }
  const il = index.length + 1;
  const trailer = Buffer.alloc(16);
  trailer.writeInt32BE(HEADERIMMUTABLE, 0);
  trailer.writeUInt32BE(TYPE.bin, 4);
  trailer.writeInt32BE(-il * 16, 8);
  trailer.writeUInt32BE(16, 12);
  index.unshift([HEADERIMMUTABLE, TYPE.bin, size, 16]);
  chunks.push(trailer);
  size += 16;
  const head = Buffer.alloc(8 + il * 16);
  head.writeInt32BE(il, 0);
  head.writeInt32BE(size, 4);
  index.forEach(([tag, type, offset, count], i) => {
    head.writeInt32BE(tag, 8 + i * 16);
    head.writeUInt32BE(type, 12 + i * 16);
    head.writeInt32BE(offset, 16 + i * 16);
    head.writeUInt32BE(count, 20 + i * 16);
  });
  return Buffer.concat([head, ...chunks]);
}

/** The raw form: il, dl, the given entries, the given store; for shapes rpmHeaderBlob will not write. */
export function rawRpmHeader(entries: Array<[number, number, number, number]>, store: Buffer, counts?: { il?: number; dl?: number }): Buffer {
  const head = Buffer.alloc(8 + entries.length * 16);
  head.writeInt32BE(counts?.il ?? entries.length, 0);
  head.writeInt32BE(counts?.dl ?? store.length, 4);
  entries.forEach(([tag, type, offset, count], i) => {
    head.writeInt32BE(tag, 8 + i * 16);
    head.writeUInt32BE(type, 12 + i * 16);
    head.writeInt32BE(offset, 16 + i * 16);
    head.writeUInt32BE(count, 20 + i * 16);
  });
  return Buffer.concat([head, store]);
}
