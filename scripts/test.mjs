// Runs every test file under test/ with node's test runner (Node 20 has no glob support for --test).
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.ts') || p.endsWith('.test.tsx') ? [p] : [];
  });
}

const only = process.argv.slice(2);
const files = (only.length ? only.flatMap((p) => (statSync(p).isDirectory() ? find(p) : [p])) : find('test')).sort();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
process.exit(r.status ?? 1);
