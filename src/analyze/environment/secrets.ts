// What looks like a secret. The build environment ends up in a signed statement that is public and
// permanent (transparency logs never forget), so these heuristics lean wide: a false positive only withholds
// a detail, a false negative publishes a credential. See docs/build-environment.md.

/** Marks what was removed from a recorded value. */
export const REDACTED = '[redacted]';

/** Matched anywhere in a name, once camelCase is split and separators are dropped (DB_PASSWORD, keyStorePassword). */
const SECRET_WORDS = [
  'TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'PASSPHRASE', 'CREDENTIAL', 'PRIVATE', 'APIKEY', 'ACCESSKEY',
  'AUTHKEY', 'SIGNINGKEY', 'WEBHOOK', 'COOKIE', 'CONNECTIONSTRING',
];
/** Matched as a whole segment only, because as substrings they are too common (KEYBOARD, PATH, BYPASS). */
const SECRET_SEGMENTS = new Set(['KEY', 'KEYS', 'PASS', 'PWD', 'PW', 'AUTH', 'PAT', 'CRED', 'CREDS', 'DSN', 'OTP', 'PIN', 'SALT', 'SESSION']);
/** The shell's working directories, which are paths, not passwords. */
const NOT_SECRET = new Set(['PWD', 'OLDPWD']);

/** True when a variable, property or macro name suggests its value is a credential. */
export function isSecretName(name: string): boolean {
  if (NOT_SECRET.has(name)) return false;
  const segments = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((s) => s !== '');
  const compact = segments.join('');
  return SECRET_WORDS.some((w) => compact.includes(w)) || segments.some((s) => SECRET_SEGMENTS.has(s));
}

/** Credential formats that are recognisable whatever they are called. */
const CREDENTIAL_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g,
  /\bgl[a-z]{1,4}-[A-Za-z0-9_-]{20,}/g,
  /\bnpm_[A-Za-z0-9]{30,}/g,
  /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g,
  /\bAIza[0-9A-Za-z_-]{35}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
  /\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/-]{8,}=*/g,
  // "token" alone is common in prose; a credential after it has a digit somewhere.
  /\btoken\s+(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{8,}/gi,
];

/** scheme://userinfo@ — the userinfo is greedy up to the last "@" before the path, as URL parsers read it. */
// Here and in ASSIGNMENT a lookbehind, not \b, marks where a match may start: "a.a.a..." would otherwise be
// tried from every letter and scanned to the end each time, which is quadratic.
const URL_USERINFO = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s/?#"']+@/g;

/**
 * NAME=value, NAME="value" or NAME='value': a -D macro, a Java system property, a Go -X, a key=value option.
 * A name stops at "-", so `--db-password=...` is judged by "password".
 */
const ASSIGNMENT = /(?<![A-Za-z0-9_.])([A-Za-z_][A-Za-z0-9_.]*)=("[^"]*"?|'[^']*'?|[^\s"']*)/g;

/** An option whose name looks secret, then its value as the next word: `--password hunter2`. */
const SECRET_OPTION_THEN_VALUE = /(^|\s)(-{1,2}[A-Za-z][A-Za-z0-9_.-]*)(\s+)("[^"]*"?|'[^']*'?|[^\s"']+)/g;

const MAX_NESTING = 8;

/**
 * Returns `text` with everything that looks like a credential replaced by REDACTED: known token formats,
 * URL userinfo, values assigned to secret-looking names, and the word after a secret-looking option.
 * Used on compiler flags, which are recorded in clear, and as the value test of `looksSecret`.
 */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const shape of CREDENTIAL_SHAPES) out = out.replace(shape, REDACTED);
  out = out.replace(URL_USERINFO, `$1${REDACTED}@`);
  out = scrubAssignments(out, 0);
  return out.replace(SECRET_OPTION_THEN_VALUE, (match, lead: string, option: string, space: string, value: string) =>
    isSecretOption(option) && value !== REDACTED ? `${lead}${option}${space}${REDACTED}` : match,
  );
}

function scrubAssignments(text: string, depth: number): string {
  return text.replace(ASSIGNMENT, (match, name: string, value: string) => {
    if (value === '') return match;
    if (isSecretAssignee(name)) return `${name}=${requote(value, REDACTED)}`;
    // A value may itself hold assignments: -ldflags='-X main.apiKey=...'.
    if (depth >= MAX_NESTING) return match;
    const inner = unquote(value);
    const scrubbed = scrubAssignments(inner, depth + 1);
    return scrubbed === inner ? match : `${name}=${requote(value, scrubbed)}`;
  });
}

/** -DAPI_KEY=... reaches here as "DAPI_KEY": the -D macro prefix is tried both on and off. */
function isSecretAssignee(name: string): boolean {
  return isSecretName(name) || (/^D[A-Za-z_]/.test(name) && isSecretName(name.slice(1)));
}

function isSecretOption(option: string): boolean {
  return isSecretAssignee(option.replace(/^-+/, ''));
}

function unquote(value: string): string {
  const q = value[0];
  if (q !== '"' && q !== "'") return value;
  return value.length > 1 && value.endsWith(q) ? value.slice(1, -1) : value.slice(1);
}

function requote(original: string, inner: string): string {
  const q = original[0];
  if (q !== '"' && q !== "'") return inner;
  return original.length > 1 && original.endsWith(q) ? `${q}${inner}${q}` : `${q}${inner}`;
}

/** True when a variable must not be published, by its name or because its value holds something credential-shaped. */
export function looksSecret(name: string, value: string): boolean {
  return isSecretName(name) || scrubSecrets(value) !== value;
}

/** Shorter secret values are not searched for in other text: they would match everywhere. */
export const MIN_SECRET_VALUE = 4;

/** The values of the secret-looking variables, longest first, to be kept out of everything recorded in clear. */
export function secretValues(env: ReadonlyMap<string, string>): { name: string; value: string }[] {
  return [...env]
    .filter(([name, value]) => value.length >= MIN_SECRET_VALUE && looksSecret(name, value))
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => b.value.length - a.value.length);
}

/** `text` with every occurrence of a secret value replaced by REDACTED. */
export function redactValues(text: string, secrets: readonly { value: string }[]): string {
  return secrets.reduce((out, { value }) => out.split(value).join(REDACTED), text);
}
