// Finds a program the way execvp does, with two refusals: empty and relative PATH entries are skipped, so a
// build directory (the checkout being built) can never supply the program Provenant itself runs.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

const MAX_PATH_ENTRIES = 256;

/** The first regular, executable file called `program` in the absolute directories of `pathVar`. */
export async function findOnPath(program: string, pathVar: string | undefined): Promise<string | undefined> {
  if (pathVar === undefined || program.includes('/')) return undefined;
  for (const dir of pathVar.split(delimiter).slice(0, MAX_PATH_ENTRIES)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, program);
    try {
      if (!(await stat(candidate)).isFile()) continue;
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Missing or not executable: keep looking, as execvp does.
    }
  }
  return undefined;
}
