import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labUnavailable } from './lab.ts';
import { DifferentialLab } from './random.ts';
import { loadRegressions, predictStored } from './regressions.ts';

const cases = loadRegressions();

// The engine half needs no kernel: each case carries the snapshot the kernel was captured in.
for (const { name, reg } of cases) {
  test(`regression ${name}: the engine predicts what the kernel did (${reg.title})`, { todo: reg.open }, async () => {
    assert.deepEqual(await predictStored(reg), reg.observed);
  });
}

const unavailable = labUnavailable();
test('regression cases: the kernel still does what each case recorded', { skip: unavailable }, async () => {
  const lab = new DifferentialLab();
  try {
    await lab.start();
    for (const { name, reg } of cases) {
      const r = (await lab.run(reg.case))[reg.connection];
      assert.deepEqual(r.judgement.observed, reg.observed, name);
    }
  } finally {
    lab.stop();
  }
});
