#!/usr/bin/env node
// The README's main job: `provenant serve` on the embedded SQLite store in ./data (no other service).
// On a first start it creates a write token and prints it once, so the service can be used straight away.
//   PROVENANT_LOG_PASSWORD  password of ./data/log.key (the log's signing key, kept encrypted); without it a
//                           development password is used, and said so.
//   PROVENANT_LISTEN        address to listen on (default 127.0.0.1:8080)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const data = resolve(process.env.PROVENANT_DATA ?? 'data');
const listen = process.env.PROVENANT_LISTEN ?? '127.0.0.1:8080';
const cli = resolve('dist/cli/main.js');
const env = { ...process.env };
if (env.PROVENANT_LOG_PASSWORD === undefined || env.PROVENANT_LOG_PASSWORD === '') {
  env.PROVENANT_LOG_PASSWORD = 'provenant-development';
  console.log('PROVENANT_LOG_PASSWORD is not set: the log key is encrypted with the development password');
  console.log('"provenant-development". Set your own before the log holds anything that matters.');
}

if (!existsSync(join(data, 'tokens.json'))) {
  const made = spawnSync(process.execPath, [cli, 'token', 'create', 'first-writer', '--data', data], { env, encoding: 'utf8' });
  if (made.status !== 0) {
    process.stderr.write(made.stderr);
    process.exit(made.status ?? 1);
  }
  const token = made.stdout.trim();
  console.log(`\nA write token for this service (shown once; its hash is in ${join(data, 'tokens.json')}):\n\n  ${token}\n`);
}

console.log(`Try, once it listens:
  curl -s http://${listen}/api/v1/log
  curl -s http://${listen}/log/checkpoint
  node dist/cli/main.js log info --server http://${listen}
  node dist/cli/main.js record disk.qcow2 --line acme/base-vm --key cosign.key --server http://${listen} --token "$TOKEN"
Stop with Ctrl-C: every acknowledged append is on disk.\n`);

const child = spawn(process.execPath, [cli, 'serve', '--data', data, '--listen', listen], { env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 0)));
