import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labUnavailable } from './lab.ts';
import { DifferentialLab, generateCase } from './random.ts';
import { loadRegressions } from './regressions.ts';

/** CI runs a bounded number of seeds; `npm run lab` sets LAB_CASES higher. */
const CASES = Number(process.env.LAB_CASES ?? 12);
const unavailable = labUnavailable();
/** Disagreements already kept as open regression cases, by seed and connection. */
const open = new Map(loadRegressions().filter((r) => r.reg.open).map((r) => [`${r.reg.case.seed}/${r.reg.connection}`, r.reg.open!]));

test(`randomized differential: ${CASES} seeded rule sets, engine vs kernel`, { skip: unavailable }, async (t) => {
  const lab = new DifferentialLab();
  let agreed = 0;
  let total = 0;
  const unexpected: string[] = [];
  try {
    await lab.start();
    for (let seed = 1; seed <= CASES; seed++) {
      const c = generateCase(seed);
      for (const [i, r] of (await lab.run(c)).entries()) {
        total++;
        if (r.judgement.differences.length === 0) agreed++;
        else if (open.has(`${seed}/${i}`)) t.diagnostic(`seed ${seed} connection ${i}: open regression (${open.get(`${seed}/${i}`)})`);
        else unexpected.push(`seed ${seed} connection ${i} ${JSON.stringify(r.connection)}: ${r.judgement.differences.join('; ')}`);
      }
    }
  } finally {
    lab.stop();
  }
  t.diagnostic(`${agreed}/${total} agree`);
  assert.deepEqual(unexpected, [], 'new disagreements: run `npm run lab:verify` to keep them under test/lab/regressions/');
});
