import type { Command } from 'commander';
import { inspectImage } from '../../attest/inspect.js';
import { openImage } from '../../oci/open-image.js';
import { addAccessOptions, platformOption, registryAccess, type AccessOptions } from '../options.js';
import { printJson, type Io } from '../run.js';
import { withSource } from './with-source.js';

export function installInspect(program: Command, io: Io): void {
  addAccessOptions(
    program
      .command('inspect')
      .description('resolved digest, platform, layers and attached artifacts of an image')
      .argument('<image>', 'registry reference, oci:DIR[:TAG] or docker-archive:FILE[:REF]'),
  ).action(async (image: string, opts: AccessOptions) => {
    const platform = platformOption(opts);
    await withSource(openImage(image, await registryAccess(opts, io)), async (source) => {
      printJson(io, await inspectImage(source, platform));
    });
  });
}
