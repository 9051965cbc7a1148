// The real AdmissionReview requests of test/fixtures/admission (see SOURCE.md there): each is read with the images
// it holds, or refused with ADMISSION_MALFORMED and still answered with its uid; responses and patches as the API
// server expects them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isProvenantError } from '../../../src/core/errors.js';
import { admissionResponse, errorResponse, parseAdmissionRequest, parseAdmissionReview, workloadImages, workloadPatch, type AdmissionRequest } from '../../../src/intercept/admission/index.js';
import { applyPatch } from './json-patch.js';

const DIR = new URL('../../fixtures/admission/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));
const review = (name: string): AdmissionRequest => parseAdmissionReview(fixture(name));
const images = (name: string): string[] => workloadImages(review(name)).images.map((i) => `${i.role} ${i.container} ${i.image}`);

interface Container {
  image: string;
  securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  resources: { limits?: Record<string, string> };
}

const MALFORMED = ['connaisseur-21_broken_admission_request.json', 'connaisseur-25_null_request.json', 'connaisseur-26_broken_update_admission_request.json'];
/** Reviews that parse but whose object is not a Pod one can read (connaisseur's error case: {"msg": ...}). */
const UNREADABLE_WORKLOAD = ['connaisseur-12_err_pod.json'];

test('every fixture is read or refused with ADMISSION_MALFORMED, never a crash', () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
    if (name.startsWith('kubewarden-')) continue;
    if (MALFORMED.includes(name)) {
      assert.throws(() => review(name), (e) => isProvenantError(e, 'ADMISSION_MALFORMED'), name);
      continue;
    }
    const req = review(name);
    assert.match(req.uid, /^[0-9a-f-]{36}$/, name);
    if (UNREADABLE_WORKLOAD.includes(name)) assert.throws(() => workloadImages(req), (e) => isProvenantError(e, 'ADMISSION_MALFORMED'), name);
    else workloadImages(req);
  }
});

test('images are found in every workload kind, with their pointers', () => {
  const kinds: Record<string, string> = {
    'connaisseur-01_deployment.json': '/spec/template/spec/containers/0/image',
    'connaisseur-03_replicaset.json': '/spec/template/spec/containers/0/image',
    'connaisseur-04_cronjob.json': '/spec/jobTemplate/spec/template/spec/containers/0/image',
    'connaisseur-05_replication_controller.json': '/spec/template/spec/containers/0/image',
    'connaisseur-06_daemonset.json': '/spec/template/spec/containers/0/image',
    'connaisseur-07_statefulset.json': '/spec/template/spec/containers/0/image',
    'connaisseur-08_job.json': '/spec/template/spec/containers/0/image',
    'connaisseur-02_pod.json': '/spec/containers/0/image',
  };
  for (const [name, pointer] of Object.entries(kinds)) {
    const w = workloadImages(review(name));
    assert.equal(w.images[0]?.pointer, pointer, name);
    assert.equal(w.workloadKind, review(name).kind.kind);
  }
  assert.deepEqual(images('connaisseur-09_dply_multi_image.json').map((i) => i.split(' ')[0]), ['initContainer', 'container', 'container']);
  assert.equal(images('connaisseur-09_dply_multi_image.json')[0], 'initContainer init busybox:1.32');
  assert.deepEqual(workloadImages(review('connaisseur-19_pod_initcontainer.json')).images.map((i) => i.role).sort(), ['container', 'initContainer']);
  assert.ok(workloadImages(review('connaisseur-20_pod_ephemeralcontainer.json')).images.some((i) => i.role === 'ephemeralContainer' && i.image === 'nginx'));
  assert.deepEqual(workloadImages(review('connaisseur-11_role.json')), { workloadKind: null, podSpecPointer: '', templateMetadataPointer: '', images: [] });
  const cron = workloadImages(parseAdmissionRequest(fixture('kubewarden-cronjob_creation_signed.json')));
  assert.equal(cron.workloadKind, 'CronJob');
  assert.ok(cron.images.length > 0 && cron.images.every((i) => i.pointer.startsWith('/spec/jobTemplate/spec/template/spec/')));
});

test('the ephemeralcontainers subresource gates only the ephemeral containers it adds', () => {
  const raw = fixture('connaisseur-20_pod_ephemeralcontainer.json') as { request: Record<string, unknown> };
  const update = { ...raw, request: { ...raw.request, operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: raw.request.object } };
  assert.deepEqual(workloadImages(parseAdmissionReview(update)).images, [], 'nothing new');
  const old = structuredClone(raw.request.object) as { spec: { ephemeralContainers?: unknown[] } };
  delete old.spec.ephemeralContainers;
  const added = workloadImages(parseAdmissionReview({ ...update, request: { ...update.request, oldObject: old } }));
  assert.deepEqual(added.images.map((i) => [i.role, i.image]), [['ephemeralContainer', 'nginx']]);
});

test('responses carry the uid and apiVersion of the request, v1beta1 too; refusals carry a status', () => {
  const v1beta1 = review('connaisseur-01_deployment.json');
  assert.equal(v1beta1.apiVersion, 'admission.k8s.io/v1beta1');
  const denied = admissionResponse(v1beta1, { allowed: false, code: 403, reason: 'Forbidden', message: 'no\u0007 signature', warnings: ['w'.repeat(400)] });
  assert.deepEqual(Object.keys(denied), ['apiVersion', 'kind', 'response']);
  const r = denied.response as { uid: string; allowed: boolean; status: { code: number; message: string }; warnings: string[] };
  assert.deepEqual([denied.apiVersion, r.uid, r.allowed, r.status.code, r.status.message], ['admission.k8s.io/v1beta1', v1beta1.uid, false, 403, 'no  signature']);
  assert.equal(r.warnings[0]!.length, 256);
  const broken = errorResponse(undefined, 'admission.k8s.io/v1', 400, 'bad');
  assert.deepEqual((broken.response as { uid: string; allowed: boolean }).allowed, false);
});

test('the patch records the digests, pins images on request, and applies sandbox changes to every container', () => {
  const req = review('connaisseur-09_dply_multi_image.json');
  const workload = workloadImages(req);
  const digests = new Map(workload.images.map((i, n) => [i.image, `sha256:${String(n).repeat(64)}`]));
  const ops = workloadPatch({ object: req.object, workload, digests, outcome: 'sandbox', pin: new Set(digests.keys()), sandbox: { runtimeClassName: 'gvisor', readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, limits: { cpu: '500m', memory: '256Mi' }, nodeSelector: { sandbox: 'true' } } });
  const patched = applyPatch(req.object as never, ops) as { spec: { template: { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> & { containers: Container[] } } } };
  const spec = patched.spec.template.spec;
  assert.equal(spec.runtimeClassName, 'gvisor');
  assert.deepEqual(spec.nodeSelector, { sandbox: 'true' });
  for (const [n, c] of spec.containers.entries()) {
    const use = workload.images.find((i) => i.pointer === `/spec/template/spec/containers/${n}/image`)!;
    assert.equal(c.image, `${use.image.split('@')[0]}@${digests.get(use.image)}`);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(c.resources.limits, { cpu: '500m', memory: '256Mi' });
  }
  const annotations = patched.spec.template.metadata.annotations;
  assert.equal(annotations['provenant.dev/decision'], 'sandbox');
  assert.equal(Object.keys(JSON.parse(annotations['provenant.dev/resolved-images']!)).length, 3);
  assert.equal((spec.initContainers as Container[])[0]!.securityContext.readOnlyRootFilesystem, true);
  const encoded = admissionResponse(req, { allowed: true, patch: ops });
  assert.deepEqual(JSON.parse(Buffer.from((encoded.response as { patch: string }).patch, 'base64').toString('utf8')), ops);
});

test('only the images asked for are pinned; the digests of all are recorded', () => {
  const req = review('connaisseur-09_dply_multi_image.json');
  const workload = workloadImages(req);
  const digests = new Map(workload.images.map((i, n) => [i.image, `sha256:${String(n).repeat(64)}`]));
  const first = workload.images[0]!;
  const ops = workloadPatch({ object: req.object, workload, digests, outcome: 'allow', pin: new Set([first.image]) });
  assert.deepEqual(ops.filter((o) => o.op === 'replace').map((o) => [o.path, o.value]), [[first.pointer, `${first.image.split('@')[0]}@${digests.get(first.image)}`]]);
  const none = workloadPatch({ object: req.object, workload, digests, outcome: 'allow', pin: new Set() });
  assert.equal(none.filter((o) => o.op === 'replace').length, 0);
  const patched = applyPatch(req.object as never, none) as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
  assert.equal(Object.keys(JSON.parse(patched.spec.template.metadata.annotations['provenant.dev/resolved-images']!)).length, workload.images.length);
});

test('hostile reviews are refused with codes', () => {
  const base = fixture('connaisseur-02_pod.json') as { request: { object: { spec: { containers: unknown[] } } } };
  const many = structuredClone(base);
  many.request.object.spec.containers = Array.from({ length: 10_000 }, (_, i) => ({ name: `c${i}`, image: 'nginx' }));
  assert.throws(() => workloadImages(parseAdmissionReview(many)), (e) => isProvenantError(e, 'ADMISSION_MALFORMED'));
  const badImage = structuredClone(base);
  badImage.request.object.spec.containers = [{ name: 'x', image: 42 }];
  assert.throws(() => workloadImages(parseAdmissionReview(badImage)), (e) => isProvenantError(e, 'ADMISSION_MALFORMED'));
  for (const body of [null, [], 'x', { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v2', request: {} }, { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1' }]) {
    assert.throws(() => parseAdmissionReview(body), (e) => isProvenantError(e, 'ADMISSION_MALFORMED'));
  }
});
