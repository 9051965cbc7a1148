// File content for the benchmark image, made from three pools generated once (text-like, binary-like, random)
// and sliced at pseudo-random offsets. Slices of a pool are as hard for gzip as fresh bytes of the same kind:
// gzip only sees 32 KiB back, and the pools are megabytes long. Everything is seeded, so the same --size-mb
// gives the same image.
import { createCipheriv } from 'node:crypto';

/** mulberry32: a small seeded PRNG; good enough to pick sizes and names. */
export class Rng {
  constructor(private state: number) {}

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Log-uniform in [lo, hi): as many files between 1 and 10 KB as between 10 and 100 KB. */
  logUniform(lo: number, hi: number): number {
    return Math.floor(Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo))));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

export type ContentKind = 'text' | 'binary' | 'random';

const MiB = 1024 * 1024;
const SLICE = 256 * 1024;

const SYLLABLES = ['al', 'be', 'con', 'de', 'ex', 'fi', 'ga', 'har', 'in', 'jo', 'ka', 'lo', 'man', 'ne', 'or', 'pre', 'qu', 'ra', 'st', 'tion', 'un', 'ver', 'win', 'xy', 'zo'];
const KEYWORDS = ['const', 'function', 'return', 'import', 'export', 'if', 'else', 'for', 'the', 'of', 'and', 'to', 'a', 'in', 'is', 'null', 'true', 'false', 'this', 'new'];
const PUNCTUATION = [' ', ' ', ' ', ' ', '.', ', ', '(', ') ', ' = ', ': ', '; ', ' => ', ' {', ' }'];

/** The vocabulary of the text pool: keywords and syllable words, used with a skewed (Zipf-like) frequency. */
export function vocabulary(rng: Rng, size = 4000): string[] {
  const words = [...KEYWORDS];
  while (words.length < size) {
    let w = '';
    for (let n = rng.int(1, 4); n > 0; n--) w += rng.pick(SYLLABLES);
    words.push(rng.chance(0.1) ? w[0]!.toUpperCase() + w.slice(1) : w);
  }
  return words;
}

function textPool(rng: Rng, bytes: number): Buffer {
  const words = vocabulary(rng);
  const lines: string[] = [];
  let length = 0;
  while (length < bytes) {
    let line: string;
    if (lines.length > 20 && rng.chance(0.45)) {
      // Source and prose repeat themselves: a recent line again, one word changed.
      const parts = lines[lines.length - rng.int(1, 20)]!.split(' ');
      parts[rng.int(0, parts.length)] = words[Math.floor(words.length * rng.next() ** 4)]!;
      line = parts.join(' ');
    } else {
      line = ' '.repeat(2 * rng.int(0, 5));
      for (let n = rng.int(2, 14); n > 0; n--) line += words[Math.floor(words.length * rng.next() ** 4)]! + rng.pick(PUNCTUATION);
    }
    lines.push(line);
    length += line.length + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'latin1').subarray(0, bytes);
}

/** Deterministic random bytes: an AES-CTR keystream. */
function randomPool(seed: number, bytes: number): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32BE(seed);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(bytes)), cipher.final()]);
}

/**
 * Machine-code-like bytes: instruction-like snippets drawn with a skewed frequency, zero padding, string
 * tables and some high-entropy data (constants, compressed resources).
 */
function binaryPool(rng: Rng, bytes: number, random: Buffer, text: Buffer): Buffer {
  const out = Buffer.alloc(bytes);
  const snippets = Array.from({ length: 1024 }, (_, i) => random.subarray(i * 16, i * 16 + rng.int(2, 9)));
  for (let at = 0; at < bytes; ) {
    const block = Math.min(rng.int(512, 8192), bytes - at);
    const kind = rng.next();
    if (kind < 0.6) {
      for (let i = 0; i < block; ) {
        const s = snippets[Math.floor(snippets.length * rng.next() ** 5)]!;
        i += s.copy(out, at + i, 0, Math.min(s.length, block - i));
      }
    } else if (kind < 0.7) {
      // zero padding between sections: already zero
    } else if (kind < 0.95) {
      const from = rng.int(0, text.length - block);
      text.copy(out, at, from, from + block);
    } else {
      const from = rng.int(0, random.length - block);
      random.copy(out, at, from, from + block);
    }
    at += block;
  }
  return out;
}

export class ContentPools {
  readonly text: Buffer;
  readonly random: Buffer;
  readonly binary: Buffer;

  constructor(seed: number) {
    const rng = new Rng(seed);
    this.text = textPool(rng, 8 * MiB);
    this.random = randomPool(seed, 32 * MiB);
    this.binary = binaryPool(rng, 16 * MiB, this.random, this.text);
  }

  /** `size` bytes of `kind`, as views of a pool (no copy), starting at a random offset and wrapping. */
  *slices(kind: ContentKind, size: number, rng: Rng): Generator<Buffer> {
    const pool = this[kind];
    let at = rng.int(0, pool.length);
    for (let left = size; left > 0; ) {
      const n = Math.min(left, SLICE, pool.length - at);
      yield pool.subarray(at, at + n);
      left -= n;
      at = (at + n) % pool.length;
    }
  }
}
