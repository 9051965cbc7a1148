import type { ImageSource } from '../../oci/types.js';

/** Runs `fn` with an opened source and closes it afterwards, whatever happens. */
export async function withSource<S extends ImageSource, T>(opening: Promise<S>, fn: (source: S) => Promise<T>): Promise<T> {
  const source = await opening;
  try {
    return await fn(source);
  } finally {
    await source.close?.();
  }
}
