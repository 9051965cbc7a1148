// WWW-Authenticate (RFC 9110 §11.6.1, grammar in §11.3 and §5.6): one or more challenges, each a scheme
// followed by a token68 or a comma-separated list of name=value parameters, where values are tokens or
// quoted strings with backslash escapes. Commas separate both challenges and parameters, so a new
// challenge is recognised by a token that is not followed by "=".
import { ProvenantError } from '../../core/errors.js';

export interface AuthChallenge {
  /** Lowercased scheme, e.g. "bearer" or "basic". */
  scheme: string;
  /** Parameters by lowercased name. */
  params: Record<string, string>;
  token68?: string;
}

const MAX_HEADER = 16 * 1024;
const MAX_CHALLENGES = 16;
const TCHAR_RE = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_RE = /^[A-Za-z0-9\-._~+/]+=*/;

export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  if (header.length > MAX_HEADER) throw invalid('the WWW-Authenticate header is too long');
  return new ChallengeParser(header).parse();
}

class ChallengeParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): AuthChallenge[] {
    const out: AuthChallenge[] = [];
    this.skipListSeparators();
    while (this.pos < this.text.length) {
      if (out.length === MAX_CHALLENGES) throw invalid('too many challenges');
      out.push(this.challenge());
      this.skipListSeparators();
    }
    if (out.length === 0) throw invalid('no challenge');
    return out;
  }

  private challenge(): AuthChallenge {
    const scheme = this.token();
    if (scheme === '') throw invalid(`expected an auth scheme at offset ${this.pos}`);
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: Object.create(null) as Record<string, string> };
    const hadSpace = this.skipSpaces() > 0;
    if (!hadSpace || this.atEnd() || this.peek() === ',') return challenge;
    const token68 = this.tryToken68();
    if (token68 !== undefined) {
      challenge.token68 = token68;
      return challenge;
    }
    for (;;) {
      const name = this.token().toLowerCase();
      if (name === '') throw invalid(`expected a parameter name at offset ${this.pos}`);
      this.skipSpaces();
      if (this.peek() !== '=') throw invalid(`expected "=" after ${JSON.stringify(name)}`);
      this.pos++;
      this.skipSpaces();
      const quoted = this.peek() === '"';
      const value = quoted ? this.quotedString() : this.token();
      if (!quoted && value === '') throw invalid(`parameter ${JSON.stringify(name)} has no value`);
      if (Object.hasOwn(challenge.params, name)) throw invalid(`parameter ${JSON.stringify(name)} is repeated`);
      challenge.params[name] = value;
      this.skipSpaces();
      if (this.atEnd()) return challenge;
      if (this.peek() !== ',') throw invalid(`expected "," at offset ${this.pos}`);
      if (!this.nextIsParam()) return challenge;
      this.skipListSeparators();
    }
  }

  /** After a comma: does a parameter (token "=") follow, rather than another challenge or the end? */
  private nextIsParam(): boolean {
    return /^[ \t,]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*=/.test(this.text.slice(this.pos));
  }

  private tryToken68(): string | undefined {
    const m = TOKEN68_RE.exec(this.text.slice(this.pos));
    if (m === null) return undefined;
    const after = this.text.slice(this.pos + m[0].length).replace(/^[ \t]*/, '');
    // "name=value" also starts like a token68; it is one only when nothing but a list separator follows.
    if (after !== '' && !after.startsWith(',')) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  private token(): string {
    const start = this.pos;
    while (this.pos < this.text.length && TCHAR_RE.test(this.text[this.pos] as string)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private quotedString(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined) throw invalid('unterminated quoted string');
      const code = ch.charCodeAt(0);
      this.pos++;
      if (ch === '"') return out;
      if (ch === '\\') {
        const escaped = this.text[this.pos];
        if (escaped === undefined || !isQuotedPairChar(escaped.charCodeAt(0))) throw invalid('bad escape in quoted string');
        out += escaped;
        this.pos++;
        continue;
      }
      if (!(code === 0x09 || (code >= 0x20 && code !== 0x7f))) throw invalid('control character in quoted string');
      out += ch;
    }
  }

  private skipSpaces(): number {
    const start = this.pos;
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
    return this.pos - start;
  }

  private skipListSeparators(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }
}

function isQuotedPairChar(code: number): boolean {
  return code === 0x09 || (code >= 0x20 && code !== 0x7f);
}

function invalid(reason: string): ProvenantError {
  return new ProvenantError('AUTH_CHALLENGE_INVALID', `WWW-Authenticate: ${reason}`);
}
