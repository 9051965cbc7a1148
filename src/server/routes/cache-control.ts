// Cache policies of what the service serves. C2SP tlog-tiles: a full tile never changes and may be cached for
// ever; a partial tile and the checkpoint change as the log grows, so caches must revalidate.
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';
/** The checkpoint: a short lifetime bounds how stale a cached head can be. */
export const SHORT_LIVED = 'public, max-age=2';
