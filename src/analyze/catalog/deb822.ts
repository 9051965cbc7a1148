// Control-file paragraphs (deb822(5), as dpkg writes var/lib/dpkg/status): "Field: value" lines, continuation
// lines starting with a space or tab, paragraphs separated by lines that are empty or only whitespace. Field
// names are printable ASCII without ":" and not starting with "#" or "-", and case-insensitive; a repeated
// field, a continuation with no field before it, a line that is neither, or a NUL byte makes the file
// malformed, as it does for dpkg.
import { malformed } from './package.js';

export interface Paragraph {
  /** Lowercased field name -> value: the first line trimmed, then "\n" and each continuation line. */
  readonly fields: ReadonlyMap<string, string>;
  /** 1-based line number where the paragraph starts. */
  readonly line: number;
}

const FIELD_RE = /^([!-9;-~][!-9;-~]*):(.*)$/;

export function parseParagraphs(text: string, what: string): Paragraph[] {
  if (text.includes('\0')) malformed(what, 'it contains a NUL byte (binary data)');
  const out: Paragraph[] = [];
  let fields: Map<string, string> | undefined;
  let start = 0;
  let last: string | undefined;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (/^[ \t]*$/.test(line)) {
      if (fields !== undefined) out.push({ fields, line: start });
      fields = undefined;
      last = undefined;
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      if (fields === undefined || last === undefined) malformed(what, `continuation line ${i + 1} has no field before it`, { line: i + 1 });
      fields.set(last, `${fields.get(last)!}\n${line.slice(1)}`);
      continue;
    }
    const m = FIELD_RE.exec(line);
    if (m === null || m[1]!.startsWith('#') || m[1]!.startsWith('-')) {
      malformed(what, `line ${i + 1} is not a "Field: value" line`, { line: i + 1 });
    }
    if (fields === undefined) {
      fields = new Map();
      start = i + 1;
    }
    const name = m[1]!.toLowerCase();
    if (fields.has(name)) malformed(what, `field ${m[1]} repeats in the paragraph at line ${start}`, { line: i + 1 });
    fields.set(name, m[2]!.trim());
    last = name;
  }
  if (fields !== undefined) out.push({ fields, line: start });
  return out;
}

/** A folded field (Depends, Pre-Depends, ...) as one line. */
export function folded(value: string | undefined): string | undefined {
  return value
    ?.split('\n')
    .map((line) => line.trim())
    .join(' ')
    .trim();
}
