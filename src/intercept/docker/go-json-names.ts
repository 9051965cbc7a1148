// Object keys as Go's encoding/json matches them to struct fields (encoding/json fold.go, foldName): ASCII letters
// fold to upper case, and any other rune r to unicode.ToUpper(unicode.ToLower(r)). Only four runes outside ASCII
// fold into ASCII that way (U+0130 and U+0131 to "I", U+017F to "S", U+212A KELVIN SIGN to "K"), so a key the
// daemon reads as an ASCII field name is recognised exactly; other runes are kept, and never equal an ASCII name.
const INTO_ASCII: Readonly<Record<string, string>> = { '\u0130': 'I', '\u0131': 'I', '\u017f': 'S', '\u212a': 'K' };

/** The folded key; two keys Go's decoder treats as the same field fold to the same string. */
export function goFoldedName(key: string): string {
  let out = '';
  for (const ch of key) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += cp >= 0x61 && cp <= 0x7a ? String.fromCharCode(cp - 0x20) : ch;
    else out += INTO_ASCII[ch] ?? ch;
  }
  return out;
}
