import type { CommandInstaller } from '../run.js';
import { installAttest, installVerifyAttestation } from './attest.js';
import { installAttestRecord, installRevoke } from './attest-record.js';
import { installBuild } from './build.js';
import { installInspect } from './inspect.js';
import { installKeygen } from './keygen.js';
import { installK8s } from './k8s.js';
import { installGate } from './gate.js';
import { installDockerAuthz } from './docker-authz.js';
import { installHistory, installRecord } from './lineage.js';
import { installLog } from './log.js';
import { installReputation } from './reputation.js';
import { installPolicy } from './policy.js';
import { installSbom } from './sbom.js';
import { installScan } from './scan.js';
import { installVuln } from './vuln.js';
import { installServe } from './serve.js';
import { installSign, installVerify } from './sign.js';
import { installToken } from './token.js';
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
  installScan,
  installPolicy,
  installVuln,
  installGate,
  installDockerAuthz,
  installK8s,
  installLog,
  installRecord,
  installHistory,
  installAttestRecord,
  installRevoke,
  installReputation,
  installServe,
  installToken,
];
