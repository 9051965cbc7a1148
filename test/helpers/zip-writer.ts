// A minimal zip writer for tests (APPNOTE 4.3), with overrides to build hostile archives.
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../src/vuln/crc32.js';

export interface ZipMember {
  name: string;
  data: Buffer;
  method?: 0 | 8;
  /** Writes the sizes and CRC after the data (general purpose flag bit 3), as Go's archive/zip does. */
  descriptor?: boolean;
  flags?: number;
  /** Overrides of header fields, to build hostile archives. */
  crc?: number;
  size?: number;
  localName?: string;
}

/** A minimal zip writer (APPNOTE 4.3): local header, data, optional descriptor; central directory; end record. */
export function buildZip(members: ZipMember[], end: { entries?: number; zip64Locator?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const method = m.method ?? 8;
    const body = method === 8 ? deflateRawSync(m.data) : m.data;
    const name = Buffer.from(m.name, 'utf8');
    const localName = Buffer.from(m.localName ?? m.name, 'utf8');
    const flags = (m.flags ?? 0) | (m.descriptor ? 0x0008 : 0) | 0x0800;
    const crc = m.crc ?? crc32(m.data);
    const size = m.size ?? m.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    if (!m.descriptor) {
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(body.length, 18);
      local.writeUInt32LE(size, 22);
    }
    local.writeUInt16LE(localName.length, 26);
    const parts = [local, localName, body];
    if (m.descriptor) {
      const d = Buffer.alloc(16);
      d.writeUInt32LE(0x08074b50, 0);
      d.writeUInt32LE(crc, 4);
      d.writeUInt32LE(body.length, 8);
      d.writeUInt32LE(size, 12);
      parts.push(d);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    const entry = Buffer.concat(parts);
    locals.push(entry);
    offset += entry.length;
  }
  const cd = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (end.zip64Locator) {
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    tail.push(locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(end.entries ?? members.length, 8);
  eocd.writeUInt16LE(end.entries ?? members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, ...tail, eocd]);
}
