// `npm run fuzz [-- --seconds N --seed S --target NAME]`: a longer seeded fuzz campaign over every parser
// and the snapshot reader, bounded in time. Prints `N inputs, K crashes` per parser and a total; every new crash is written as a
// regression case under test/fuzz/regressions/ (replayed by the test suite) and the exit code is 1.
import { parseArgs } from 'node:util';
import { fuzzTarget, type TargetReport } from '../test/fuzz/support/campaign.ts';
import { fuzzReader } from '../test/fuzz/support/reader.ts';
import { saveCrash } from '../test/fuzz/support/regressions.ts';
import { TARGETS } from '../test/fuzz/support/targets.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    target: { type: 'string', multiple: true },
  },
});
const seconds = Number(values.seconds);
const seed = Number(values.seed);
if (!(seconds > 0) || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- [--seconds N] [--seed S] [--target NAME]…');
  process.exit(2);
}
const targets = values.target ? TARGETS.filter((t) => values.target!.includes(t.name)) : TARGETS;
if (values.target?.some((name) => name !== 'snapshot-reader' && !TARGETS.some((t) => t.name === name))) {
  console.error(`no such target; targets: ${[...TARGETS.map((t) => t.name), 'snapshot-reader'].join(', ')}`);
  process.exit(2);
}

const withReader = !values.target || values.target.includes('snapshot-reader');
const shares = targets.length + (withReader ? 1 : 0);
console.log(`fuzzing ${targets.length} parsers${withReader ? ' and the snapshot reader' : ''} for ${seconds}s, seed ${seed}`);
const width = Math.max('snapshot-reader'.length, ...targets.map((t) => t.name.length));
let inputs = 0;
let crashes = 0;
const runs: (() => Promise<TargetReport>)[] = targets.map((target) => async () => fuzzTarget(target, { seed, ms: (seconds * 1000) / shares }));
if (withReader) runs.push(() => fuzzReader({ seed, ms: (seconds * 1000) / shares }));
for (const next of runs) {
  const report = await next();
  const target = { name: report.target };
  inputs += report.inputs;
  crashes += report.crashes.length;
  // Reader crashes come from archives, not text: they are reported with the mutation that made them.
  const saved = report.crashes.map((c) => (report.target === 'snapshot-reader' ? 'not saved: replay with the seed above' : saveCrash(c)));
  console.log(`${target.name.padEnd(width)}  ${report.inputs} inputs, ${report.crashes.length} crashes  (${report.inputErrors} refused with an input error, ${report.seeds} seed files)`);
  for (const [i, c] of report.crashes.entries()) console.log(`  crash: ${c.error.slice(0, 200)}\n    saved as ${saved[i]}`);
}
console.log(`total: ${inputs} inputs, ${crashes} crashes (seed ${seed})`);
process.exitCode = crashes > 0 ? 1 : 0;
