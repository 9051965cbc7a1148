// Image globs as sigstore policy-controller reads `images[].glob`: `*` matches within one path component, `**`
// across components, and a glob is tried against the image's repository name and against its full reference
// (so "ghcr.io/acme/*" matches "ghcr.io/acme/app:1.0" and "ghcr.io/acme/app@sha256:..."). Names are compared in
// Docker's normalised form (src/oci/reference.ts): "nginx" and "index.docker.io/library/nginx" both mean
// "docker.io/library/nginx". The same globs also match source URIs ("git+https://github.com/acme/**"), where
// no normalisation applies. The pattern compiles to an anchored regular expression without backtracking traps:
// only literal text, `[^/]*` and `.*`.
import { ProvenantError } from '../core/errors.js';
import { DOCKER_HUB, parseImageReference } from '../oci/reference.js';

export const MAX_GLOB_LENGTH = 512;
const GLOB_CHARS = /^[A-Za-z0-9._\-/:@*+~]+$/;

export interface ImageGlob {
  /** The glob as written. */
  readonly pattern: string;
  /** Whether an image reference (normalised first) matches. */
  matchesImage(reference: string): boolean;
  /** Whether a URI or other plain string matches, as written. */
  matchesText(text: string): boolean;
}

/** Compiles a glob. Errors: POLICY_INVALID (empty, too long, characters outside a reference, `***`). */
export function compileImageGlob(pattern: string): ImageGlob {
  const bad = (problem: string): never => {
    throw new ProvenantError('POLICY_INVALID', `glob ${JSON.stringify(pattern)} ${problem}`, { details: { glob: pattern, problem } });
  };
  if (typeof pattern !== 'string' || pattern.length === 0) bad('is empty');
  if (pattern.length > MAX_GLOB_LENGTH) bad(`is longer than ${MAX_GLOB_LENGTH} characters`);
  if (!GLOB_CHARS.test(pattern)) bad('has characters that cannot appear in an image name, URI path or glob');
  if (pattern.includes('***')) bad('has "***"; use "*" within a component or "**" across components');
  const textRe = globRegExp(pattern);
  const imageRe = globRegExp(normaliseGlob(pattern));
  return {
    pattern,
    matchesImage(reference: string): boolean {
      let ref;
      try {
        ref = parseImageReference(reference);
      } catch {
        return false;
      }
      return imageRe.test(ref.name) || imageRe.test(ref.toString());
    },
    matchesText(text: string): boolean {
      return textRe.test(text);
    },
  };
}

function globRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c !== '*') {
      source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    if (glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else source += '[^/]*';
  }
  return new RegExp(`^${source}$`);
}

// The registry part of a glob is decided as a reference's is: a first component with "." or ":" or "localhost"
// is a host; otherwise the glob names Docker Hub, and a one-component glob an official image ("nginx:1.*" is
// "docker.io/library/nginx:1.*"). A glob starting with a wildcard ("**", "*.example.com/app") is left alone,
// except "*" and "*/*", which policy-controller reads as Docker Hub's (pkg/apis/glob Compile).
function normaliseGlob(glob: string): string {
  if (glob === '*') return `${DOCKER_HUB}/library/*`;
  if (glob === '*/*') return `${DOCKER_HUB}/*/*`;
  if (glob.startsWith('*')) return glob;
  const slash = glob.indexOf('/');
  const first = slash === -1 ? glob : glob.slice(0, slash);
  if (first === 'index.docker.io') return `${DOCKER_HUB}${glob.slice(first.length)}`;
  if (slash !== -1 && (first === 'localhost' || /[.:]/.test(first))) return glob;
  return `${DOCKER_HUB}/${slash === -1 ? `library/${glob}` : glob}`;
}
