// `provenant vuln load|info`: the advisory data kept in the store beside the log, which the service's decisions
// and re-evaluations match against. `load` reads OSV data in its standard shapes (a directory, NDJSON, an osv.dev
// all.zip), validates every record first (all or nothing), then stores them in the embedded store (--data) or
// posts them to a service (--server) in batches.
import type { Command } from 'commander';
import { AdvisoryState } from '../../policy/runtime/advisory-state.js';
import { openLogStore } from '../../store/open-log-store.js';
import { loadOsv } from '../../vuln/osv-load.js';
import { osvSourceOf } from '../osv-source.js';
import { jsonBody, ServiceHttp } from '../remote/service-http.js';
import { printJson, type Io } from '../run.js';
import { addStoreOptions, serviceEndpoint, type StoreOptions } from '../store-access.js';

/** Records per request to a service: far below its body limit for records of ordinary size. */
const BATCH = 2_000;

export function installVuln(program: Command, io: Io): void {
  const vuln = program.command('vuln').description('the vulnerability (OSV) data kept in the store, which decisions match against');
  addStoreOptions(vuln.command('load').description('add or update OSV advisories in the store').argument('<source>', 'a directory of OSV JSON files, an .ndjson file or an osv.dev all.zip')).action(
    async (path: string, opts: StoreOptions) => {
      const source = await osvSourceOf(path, 'source');
      // The whole data set is read and validated first, so a bad record stores nothing.
      const dataset = await loadOsv(source, { keepRecords: true });
      const records = dataset.records ?? [];
      const totals = { inserted: 0, replaced: 0, unchanged: 0 };
      if (opts.server !== undefined) {
        const http = new ServiceHttp(await serviceEndpoint({ ...opts, server: opts.server }, io));
        for (let i = 0; i < records.length; i += BATCH) {
          const answer = jsonBody(await http.send({ method: 'POST', path: 'api/v1/advisories', json: records.slice(i, i + BATCH), maxBytes: 64 * 1024 }), 'advisories');
          for (const k of ['inserted', 'replaced', 'unchanged'] as const) totals[k] += typeof answer[k] === 'number' ? answer[k] : 0;
        }
      } else {
        const store = await openLogStore({ dataDir: opts.data });
        try {
          const result = await new AdvisoryState(store).add(records);
          Object.assign(totals, result);
        } finally {
          await store.close();
        }
      }
      printJson(io, { source: path, dataset: dataset.identity.digest, advisories: dataset.identity.advisories, newestModified: dataset.identity.newestModified, ...totals });
    },
  );
  addStoreOptions(vuln.command('info').description('how many advisories the store holds, and their version')).action(async (opts: StoreOptions) => {
    if (opts.server !== undefined) {
      const http = new ServiceHttp(await serviceEndpoint({ ...opts, server: opts.server }, io));
      printJson(io, jsonBody(await http.send({ method: 'GET', path: 'api/v1/advisories', maxBytes: 64 * 1024 }), 'advisories'));
      return;
    }
    const store = await openLogStore({ dataDir: opts.data });
    try {
      const [count, revision] = await Promise.all([store.advisoryCount(), store.advisoriesRevision()]);
      printJson(io, { count, revision: revision.toString(), version: `adv:${revision}:${count}` });
    } finally {
      await store.close();
    }
  });
}

