// Appending a signed proposal as a client: the entry the log stores is computed locally first (prepareEntry is
// deterministic), so the leaf hash the log reports is checked, and the entry is proven in the checkpoint the log
// returned before the command reports success.
import { ProvenantError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { prepareEntry } from '../log/entries/index.js';
import type { AppendResult } from '../log/service.js';
import { leafHash } from '../merkle/index.js';
import type { VerifiedLog } from './verified-log.js';

export async function appendVerified(log: VerifiedLog, proposal: JsonObject): Promise<AppendResult> {
  const expected = leafHash((await prepareEntry(proposal)).entry);
  const result = await log.append(proposal);
  if (result.leafHash !== expected.toString('hex')) {
    throw new ProvenantError('SERVICE_PROTOCOL', `the log stored the entry under leaf hash ${result.leafHash}, not ${expected.toString('hex')}`, {
      details: { index: result.index.toString() },
    });
  }
  const checkpoint = await log.guard.accept(result.checkpoint);
  await log.prove(result.index, expected, checkpoint.size);
  return result;
}
