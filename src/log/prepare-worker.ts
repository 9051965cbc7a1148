// The worker side of PreparePool: runs prepareEntry on each proposal it is sent and answers with the prepared
// entry or the error as plain data (a ProvenantError does not survive structured cloning as itself).
import { parentPort } from 'node:worker_threads';
import { toProvenantError } from '../core/errors.js';
import type { IndexTerm } from '../store/ports.js';
import { prepareEntry } from './entries/index.js';

export interface PrepareRequest {
  readonly id: number;
  readonly proposal: unknown;
}

export type PrepareReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly entry: Uint8Array;
      readonly terms: readonly IndexTerm[];
      readonly blobs: readonly { digest: string; mediaType: string; data: Uint8Array }[];
    }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };

const port = parentPort;
port?.on('message', (request: PrepareRequest) => {
  prepareEntry(request.proposal).then(
    (prepared) => {
      const reply: PrepareReply = { id: request.id, ok: true, entry: prepared.entry, terms: prepared.terms, blobs: prepared.blobs };
      port.postMessage(reply);
    },
    (e: unknown) => {
      const error = toProvenantError(e);
      const body = error.toBody();
      try {
        port.postMessage({ id: request.id, ok: false, code: body.code, message: body.message, details: body.details } satisfies PrepareReply);
      } catch {
        // Details that cannot be cloned are dropped; the code and message still reach the caller.
        port.postMessage({ id: request.id, ok: false, code: body.code, message: body.message } satisfies PrepareReply);
      }
    },
  );
});
