// The scheduling of re-evaluation runs, with a host whose state is held back on demand and the real decision log:
// one run at a time, triggers during a run merged into exactly one more, a change check that schedules only what
// moved, and nothing after close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isProvenantError } from '../../../src/core/errors.js';
import type { Decision } from '../../../src/policy/decision.js';
import { Reevaluator, type ReevaluationHost, type RuntimeVersions } from '../../../src/policy/runtime/reevaluation.js';
import { eventually, withWorld } from './runtime-fixtures.js';

interface State {
  readonly versions: RuntimeVersions;
}

/** A host whose snapshots wait for `release()` while held, and whose versions the test sets. */
class HeldHost implements ReevaluationHost<State> {
  versions: RuntimeVersions = { policies: '1', advisories: 'adv:1:1', revocations: 'none', reputation: 'none' };
  snapshots = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async snapshot(): Promise<State> {
    this.snapshots++;
    await this.gate;
    return { versions: this.versions };
  }

  decideAgain(): Promise<Decision> {
    return Promise.reject(new Error('no admitted image is expected'));
  }
}

test('triggers arriving during a run are merged into exactly one more run', async () => {
  await withWorld(async ({ store }) => {
    const host = new HeldHost();
    const reevaluator = new Reevaluator(host, { decisions: store, clock: () => new Date() });
    host.hold();
    const first = reevaluator.runNow('policies');
    await eventually(() => (host.snapshots === 1 ? true : undefined), 'the first run to start');
    const during = [reevaluator.runNow('advisories'), reevaluator.runNow('revocations'), reevaluator.runNow('advisories')];
    host.release();
    const [a, b, c, d] = await Promise.all([first, ...during]);
    assert.deepEqual(a!.trigger, ['policies']);
    assert.deepEqual(b!.trigger, ['advisories', 'revocations']);
    assert.equal(c, b);
    assert.equal(d, b);
    assert.equal(host.snapshots, 2);
    assert.deepEqual(reevaluator.reports().map((r) => r.id), [b!.id, a!.id]);
    assert.deepEqual([b!.evaluated, b!.changed, b!.nowFailing], [0, [], []]);
    await reevaluator.close();
  });
});

test('a check schedules a run only for the versions that moved since the last run', async () => {
  await withWorld(async ({ store }) => {
    const host = new HeldHost();
    const reevaluator = new Reevaluator(host, { decisions: store, clock: () => new Date() });
    assert.deepEqual(await reevaluator.check(), [], 'the first check only takes note');
    assert.deepEqual(await reevaluator.check(), []);
    host.versions = { ...host.versions, advisories: 'adv:2:2', reputation: '7' };
    assert.deepEqual(await reevaluator.check(), ['advisories']);
    await reevaluator.idle();
    assert.deepEqual(reevaluator.reports().map((r) => [r.trigger, r.dataVersions.advisories]), [[['advisories'], 'adv:2:2']]);
    assert.deepEqual(await reevaluator.check(), []);
    host.versions = { ...host.versions, policies: '9', revocations: '12' };
    assert.deepEqual(await reevaluator.check(), ['policies', 'revocations']);
    await reevaluator.close();
    assert.equal(reevaluator.reports().length, 2);
    await assert.rejects(reevaluator.runNow('manual'), (e) => isProvenantError(e, 'SERVICE_UNAVAILABLE'));
  });
});
