// `provenant token create`: a bearer token for `provenant serve`. The token file keeps only its hash, so the
// token is printed once, here.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ProvenantError } from '../../core/errors.js';
import { createToken, type TokenScope } from '../../server/tokens.js';
import { printJson, type Io } from '../run.js';

interface TokenCreateOptions {
  scope: string;
  tokens?: string;
  data: string;
  json?: boolean;
}

/** The token file a serve of `dataDir` reads unless given --tokens. */
export function defaultTokenFile(dataDir: string): string {
  return join(dataDir, 'tokens.json');
}

export function installToken(program: Command, io: Io): void {
  const token = program.command('token').description('API tokens of `provenant serve`');
  token
    .command('create')
    .description('add a token to the token file and print it (only its hash is stored)')
    .argument('<name>', 'a name for the token (who or what uses it)')
    .option('--scope <scope>', 'write (append and read) or read', 'write')
    .option('--tokens <file>', 'the token file (default: DIR/tokens.json of --data)')
    .option('--data <dir>', 'data directory of the service', './data')
    .option('--json', 'print {name, scopes, token, file} as JSON')
    .action(async (name: string, opts: TokenCreateOptions) => {
      if (opts.scope !== 'write' && opts.scope !== 'read') throw new ProvenantError('USAGE', '--scope must be write or read');
      // A write token reads too (the server grants read to write tokens); storing both says so in the file.
      const scopes: TokenScope[] = opts.scope === 'write' ? ['read', 'write'] : ['read'];
      const file = opts.tokens ?? defaultTokenFile(opts.data);
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const text = await createToken(file, name, scopes);
      if (opts.json === true) {
        printJson(io, { name, scopes, token: text, file });
        return;
      }
      io.stderr.write(`Token "${name}" (${scopes.join(', ')}) added to ${file}; it is shown only now:\n`);
      io.stdout.write(`${text}\n`);
    });
}
