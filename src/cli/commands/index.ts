import type { CommandInstaller } from '../run.js';
import { installAttest, installVerifyAttestation } from './attest.js';
import { installBuild } from './build.js';
import { installInspect } from './inspect.js';
import { installKeygen } from './keygen.js';
import { installSbom } from './sbom.js';
import { installSign, installVerify } from './sign.js';
import { installVerifyBundle } from './verify-bundle.js';

export const COMMANDS: readonly CommandInstaller[] = [
  installKeygen,
  installSign,
  installVerify,
  installAttest,
  installVerifyAttestation,
  installVerifyBundle,
  installInspect,
  installBuild,
  installSbom,
];
