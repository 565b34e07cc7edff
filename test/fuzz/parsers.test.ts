import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzzTarget } from './support/campaign.ts';
import { fuzzReader } from './support/reader.ts';
import { TARGETS } from './support/targets.ts';

/**
 * A short, fixed-seed fuzz campaign over every parser and the snapshot reader (`npm run fuzz` runs a
 * longer one). Each input must end in a result that keeps the model's invariants or in an InputError
 * naming the file and the line or pointer. The seed is fixed so a failure here reproduces exactly.
 */
const SEED = 20261127;
/** Inputs per parser: a few seconds in all on a CI machine; the JSON dumps are the slow ones. */
const INPUTS: Record<string, number> = { 'envoy-config-dump': 80, 'ztunnel-config-dump': 150, 'nft-json': 150, 'iptables-save': 200 };

describe('fuzz: every parser ends in a result or an InputError', () => {
  for (const target of TARGETS) {
    it(target.name, (t) => {
      const report = fuzzTarget(target, { seed: SEED, inputs: INPUTS[target.name] ?? 150 });
      t.diagnostic(`${report.inputs} inputs (${report.ok} parsed, ${report.inputErrors} refused), ${report.seeds} seed files, ${Math.round(report.ms)} ms`);
      const crashes = report.crashes.map((c) => `${c.error}\n  input made from: ${c.origin.slice(0, 200)}`);
      if (crashes.length > 0 && target.todo) {
        t.todo(`${target.name} is being reworked elsewhere; crashes found:\n${crashes.join('\n')}`);
        return;
      }
      assert.deepEqual(crashes, []);
    });
  }

  it('snapshot reader on damaged .tar.gz archives', async (t) => {
    const report = await fuzzReader({ seed: SEED, inputs: 30 });
    t.diagnostic(`${report.inputs} archives (${report.ok} read, ${report.inputErrors} refused), ${Math.round(report.ms)} ms`);
    assert.deepEqual(report.crashes.map((c) => `${c.error} (${c.origin})`), []);
  });
});
