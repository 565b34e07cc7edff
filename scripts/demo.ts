// Traces the bundled example snapshots with the built CLI, as a user would run it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { EXAMPLES } from './examples/topology.ts';

const only = process.argv.slice(2);
for (const ex of EXAMPLES.filter((e) => only.length === 0 || only.includes(e.name))) {
  const dir = `examples/${ex.name}`;
  if (!existsSync(`${dir}/meta.json`)) continue;
  for (const [src, dst] of ex.traces) {
    const args = ['bin/istio-path.js', 'trace', src, dst, '--snapshot', dir];
    process.stdout.write(`\n$ istio-path ${args.slice(1).join(' ')}\n`);
    const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
