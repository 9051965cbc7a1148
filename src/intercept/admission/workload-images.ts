// The images a workload would run, and where they sit in the object (RFC 6901 JSON pointers, for patches). Pod
// templates are found where the Kubernetes API puts them: a Pod's own spec; spec.template for Deployment,
// ReplicaSet, StatefulSet, DaemonSet, Job and ReplicationController; spec.jobTemplate.spec.template for CronJob.
// An UPDATE of the pods/ephemeralcontainers subresource (kubectl debug) gates only the ephemeral containers added.
import { ProvenantError } from '../../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { AdmissionRequest } from './review.js';

export type ContainerRole = 'container' | 'initContainer' | 'ephemeralContainer';

export interface ImageUse {
  /** Pointer to the `image` member. */
  readonly pointer: string;
  readonly container: string;
  readonly role: ContainerRole;
  readonly image: string;
}

export interface WorkloadImages {
  /** The workload kind gated, or null for a resource that runs no containers (not gated). */
  readonly workloadKind: string | null;
  readonly podSpecPointer: string;
  /** Where the pod template's metadata is (annotations go there). */
  readonly templateMetadataPointer: string;
  readonly images: readonly ImageUse[];
}

const TEMPLATE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController']);
const ROLES: readonly (readonly [string, ContainerRole])[] = [
  ['initContainers', 'initContainer'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeralContainer'],
];
export const MAX_CONTAINERS = 1_000;
const MAX_IMAGE_LENGTH = 2_048;

const NOT_GATED: WorkloadImages = { workloadKind: null, podSpecPointer: '', templateMetadataPointer: '', images: [] };

/** Errors: ADMISSION_MALFORMED (a pod spec or container of the wrong shape, too many containers). */
export function workloadImages(req: AdmissionRequest): WorkloadImages {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return NOT_GATED;
  const kind = req.kind.kind;
  const pointers = podSpecPointers(kind);
  if (pointers === undefined) return NOT_GATED;
  if (req.subResource !== undefined && !(kind === 'Pod' && req.subResource === 'ephemeralcontainers')) return NOT_GATED;
  const fail = (problem: string): never => {
    throw new ProvenantError('ADMISSION_MALFORMED', `the ${kind} cannot be read: ${problem}`, { details: { uid: req.uid, problem } });
  };
  const spec = at(req.object, pointers.spec);
  if (!isJsonObject(spec ?? null)) fail(`${pointers.spec} is not an object`);
  const onlyEphemeral = req.subResource === 'ephemeralcontainers';
  const before = onlyEphemeral ? existingEphemeral(at(req.oldObject, pointers.spec)) : new Set<string>();
  const images: ImageUse[] = [];
  for (const [member, role] of ROLES) {
    if (onlyEphemeral && role !== 'ephemeralContainer') continue;
    const list = (spec as JsonObject)[member];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) fail(`${pointers.spec}/${member} is not a list`);
    if ((list as JsonValue[]).length > MAX_CONTAINERS) fail(`more than ${MAX_CONTAINERS} ${member}`);
    (list as JsonValue[]).forEach((c, i) => {
      if (!isJsonObject(c)) fail(`${member}[${i}] is not an object`);
      const name = typeof (c as JsonObject).name === 'string' ? ((c as JsonObject).name as string) : `${member}[${i}]`;
      const image = (c as JsonObject).image;
      if (typeof image !== 'string' || image === '' || image.length > MAX_IMAGE_LENGTH) fail(`${member}[${i}].image is not an image reference`);
      if (onlyEphemeral && before.has(`${name}\0${image as string}`)) return;
      images.push({ pointer: `${pointers.spec}/${member}/${i}/image`, container: name, role, image: image as string });
    });
  }
  if (images.length > MAX_CONTAINERS) fail(`more than ${MAX_CONTAINERS} containers`);
  return { workloadKind: kind, podSpecPointer: pointers.spec, templateMetadataPointer: pointers.metadata, images };
}

function podSpecPointers(kind: string): { spec: string; metadata: string } | undefined {
  if (kind === 'Pod') return { spec: '/spec', metadata: '/metadata' };
  if (TEMPLATE_KINDS.has(kind)) return { spec: '/spec/template/spec', metadata: '/spec/template/metadata' };
  if (kind === 'CronJob') return { spec: '/spec/jobTemplate/spec/template/spec', metadata: '/spec/jobTemplate/spec/template/metadata' };
  return undefined;
}

function existingEphemeral(spec: JsonValue | undefined): Set<string> {
  const out = new Set<string>();
  const list = isJsonObject(spec ?? null) ? (spec as JsonObject).ephemeralContainers : undefined;
  if (Array.isArray(list)) for (const c of list) if (isJsonObject(c) && typeof c.name === 'string' && typeof c.image === 'string') out.add(`${c.name}\0${c.image}`);
  return out;
}

/** The value at a pointer made of plain member names (the pod spec pointers above), or undefined. */
export function at(value: JsonValue, pointer: string): JsonValue | undefined {
  let here: JsonValue | undefined = value;
  for (const token of pointer.split('/').slice(1)) {
    if (!isJsonObject(here ?? null)) return undefined;
    here = (here as JsonObject)[token];
  }
  return here;
}
