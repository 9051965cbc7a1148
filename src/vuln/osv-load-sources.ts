// The three shapes OSV data is published in, read as a stream of raw records: a directory of `<ID>.json` files
// (as osv.dev's GCS bucket and git mirrors lay them out), NDJSON (one record per line), and the per-ecosystem
// `all.zip` exports. Each record keeps where it came from so that an error names the file, line or member.
import { createReadStream } from 'node:fs';
import { constants, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ProvenantError } from '../core/errors.js';
import { readZipEntries, type ZipLimits } from './zip-reader.js';

export interface OsvSourceLimits {
  /** Records (files, lines or members) in one data set (INPUT_TOO_LARGE). */
  maxRecords: number;
  /** Bytes of one record (INPUT_TOO_LARGE). */
  maxRecordBytes: number;
  /** Directory levels below the root of a directory source (INPUT_TOO_LARGE). */
  maxDepth: number;
}

export const DEFAULT_OSV_SOURCE_LIMITS: Readonly<OsvSourceLimits> = Object.freeze({
  maxRecords: 1_000_000,
  maxRecordBytes: 16 * 1024 * 1024,
  maxDepth: 32,
});

/** Where a record came from: a path relative to the directory root, a 1-based NDJSON line, or a zip member. */
export type RecordOrigin = { file: string } | { line: number } | { entry: string };

export interface RawRecord {
  bytes: Buffer;
  origin: RecordOrigin;
}

function tooMany(lim: OsvSourceLimits): ProvenantError {
  return new ProvenantError('INPUT_TOO_LARGE', `the OSV data set has more than ${lim.maxRecords} records`);
}

function tooLarge(lim: OsvSourceLimits, origin: RecordOrigin): ProvenantError {
  return new ProvenantError('INPUT_TOO_LARGE', `an OSV record is over the limit of ${lim.maxRecordBytes} bytes`, {
    details: { ...origin },
  });
}

function openError(cause: unknown, what: string): ProvenantError {
  const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'IO_ERROR';
  return new ProvenantError(code, `${what} cannot be read`, { cause });
}

/** Every `*.json` regular file below `root`, in name order; symbolic links are neither read nor descended into. */
export async function* readDirRecords(root: string, lim: OsvSourceLimits): AsyncGenerator<RawRecord> {
  let rootStat;
  try {
    rootStat = await stat(root);
  } catch (cause) {
    throw openError(cause, 'the OSV directory');
  }
  if (!rootStat.isDirectory()) throw new ProvenantError('USAGE', 'the OSV directory source is not a directory');
  const count = { records: 0 };
  yield* walk(root, '', 0, lim, count);
}

async function* walk(dir: string, rel: string, depth: number, lim: OsvSourceLimits, count: { records: number }): AsyncGenerator<RawRecord> {
  if (depth > lim.maxDepth) {
    throw new ProvenantError('INPUT_TOO_LARGE', `the OSV directory nests deeper than ${lim.maxDepth} levels`, { details: { file: rel } });
  }
  let dirents;
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    throw openError(cause, 'an OSV directory');
  }
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of dirents) {
    const path = join(dir, d.name);
    const relPath = rel === '' ? d.name : `${rel}/${d.name}`;
    if (d.isDirectory()) {
      yield* walk(path, relPath, depth + 1, lim, count);
    } else if (d.isFile() && d.name.endsWith('.json')) {
      if (++count.records > lim.maxRecords) throw tooMany(lim);
      yield { bytes: await readRegularFile(path, relPath, lim), origin: { file: relPath } };
    }
  }
}

async function readRegularFile(path: string, relPath: string, lim: OsvSourceLimits): Promise<Buffer> {
  let fh;
  try {
    // O_NOFOLLOW: a file swapped for a symbolic link after the listing is refused rather than followed.
    fh = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (cause) {
    throw openError(cause, `the OSV file ${relPath}`);
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw new ProvenantError('IO_ERROR', `the OSV file ${relPath} is not a regular file`, { details: { file: relPath } });
    if (s.size > lim.maxRecordBytes) throw tooLarge(lim, { file: relPath });
    const bytes = await fh.readFile();
    if (bytes.length > lim.maxRecordBytes) throw tooLarge(lim, { file: relPath });
    return bytes;
  } finally {
    await fh.close();
  }
}

/** One record per line (LF, optionally CRLF); lines of only whitespace are skipped. */
export async function* readNdjsonRecords(path: string, lim: OsvSourceLimits): AsyncGenerator<RawRecord> {
  const stream = createReadStream(path);
  let parts: Buffer[] = [];
  let partBytes = 0;
  let line = 0;
  let records = 0;
  function* finish(chunk: Buffer): Generator<RawRecord> {
    line++;
    partBytes += chunk.length;
    if (partBytes > lim.maxRecordBytes) throw tooLarge(lim, { line });
    parts.push(chunk);
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts = [];
    partBytes = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0d)) return;
    if (++records > lim.maxRecords) throw tooMany(lim);
    yield { bytes, origin: { line } };
  }
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
        yield* finish(chunk.subarray(start, nl));
        start = nl + 1;
      }
      const rest = chunk.subarray(start);
      partBytes += rest.length;
      // A line that never ends must not grow without bound while waiting for its newline.
      if (partBytes > lim.maxRecordBytes) throw tooLarge(lim, { line: line + 1 });
      if (rest.length > 0) parts.push(rest);
    }
  } catch (cause) {
    if (cause instanceof ProvenantError) throw cause;
    throw openError(cause, 'the OSV NDJSON file');
  } finally {
    stream.destroy();
  }
  if (partBytes > 0) yield* finish(Buffer.alloc(0));
}

/** The `*.json` members of an osv.dev `all.zip` export; other members are ignored, as in a directory. */
export async function* readZipRecords(path: string, lim: OsvSourceLimits, zipLimits: Partial<ZipLimits> = {}): AsyncGenerator<RawRecord> {
  let records = 0;
  const zl = { maxEntries: lim.maxRecords, maxEntryBytes: lim.maxRecordBytes, ...zipLimits };
  for await (const { name, data } of readZipEntries(path, zl)) {
    if (!name.endsWith('.json')) continue;
    if (++records > lim.maxRecords) throw tooMany(lim);
    yield { bytes: data, origin: { entry: name } };
  }
}
