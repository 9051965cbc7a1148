// A one-line progress display for layer analysis on a terminal; silent when stderr is not a TTY or --quiet.
import type { AnalysisProgress } from '../analyze/image-analysis.js';
import type { LayerSummary } from '../analyze/layer-walk.js';
import type { Descriptor } from '../oci/types.js';

function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

export function terminalProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, quiet: boolean): AnalysisProgress | undefined {
  if (quiet || stream.isTTY !== true) return undefined;
  let started = 0;
  let total = 0;
  return {
    layerStarted(index: number, count: number, descriptor: Descriptor): void {
      started = Date.now();
      total = count;
      stream.write(`\rlayer ${index + 1}/${count} ${descriptor.digest.slice(7, 19)} ${mb(descriptor.size)} ...`);
    },
    layerDone(index: number, summary: LayerSummary): void {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      stream.write(
        `\rlayer ${index + 1}/${total} ${summary.diffId.slice(7, 19)} ${mb(summary.uncompressedBytes)} unpacked, ` +
          `${summary.entries} entries, ${mb(summary.uncompressedBytes / seconds)}/s\n`,
      );
    },
  };
}
