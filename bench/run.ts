// `npm run bench`: builds a large synthetic snapshot in a temp dir and prints speed and memory ratios
// against their targets. It is a report, not a test: it exits 0 whatever it measures.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeTrace } from '../src/cli/trace-run.ts';
import type { Io } from '../src/cli/io.ts';
import { parseIptablesSave } from '../src/parse/iptables-save.ts';
import { readSnapshot } from '../src/snapshot/read.ts';
import { BASE_SNAPSHOT, kubeProxyIptables, syntheticServices, writeSyntheticSnapshot } from './synthetic.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin/istio-path.js');
const SERVICES = 5000;
const NODE_IPTABLES = 'nodes/node-a/iptables-save.txt';

interface Row {
  measure: string;
  ratio: number | undefined;
  target: string;
  pass: boolean | undefined;
  detail: string;
}

const rows: Row[] = [];
const io: Io = { stdout: () => {}, stderr: () => {}, color: false, env: {} };

const dir = await mkdtemp(join(tmpdir(), 'istio-path-bench-'));
const started = performance.now();
try {
  const t0 = performance.now();
  const snap = await writeSyntheticSnapshot(ROOT, dir, SERVICES);
  log(`synthetic snapshot: ${SERVICES} services, ${snap.iptablesRules} added iptables rules, ${mb(snap.bytes)} on disk (${ms(performance.now() - t0)} to write) in ${dir}`);

  await step('trace ÷ JSON.parse', () => traceVsJson(dir, snap.bytes));
  await step('cold start', coldStart);
  await step('peak memory', () => peakMemory(dir, snap.bytes));
  await step('iptables parse linearity', linearity);
} finally {
  await rm(dir, { recursive: true, force: true });
}

printTable();
log(`\nbench took ${ms(performance.now() - started)}`);
process.exitCode = 0;

// ---------------------------------------------------------------- 1. trace vs JSON.parse

async function traceVsJson(snapshot: string, bytes: number): Promise<void> {
  const jsonFiles = (await readdir(snapshot, { recursive: true })).filter((f) => f.endsWith('.json')).map((f) => join(snapshot, f));
  const parseAll = best(5, () => {
    for (const f of jsonFiles) JSON.parse(readFileSync(f, 'utf8'));
  });

  let read = Infinity;
  let verdict = '';
  const total = await bestAsync(5, async () => {
    const r0 = performance.now();
    const s = await readSnapshot(snapshot);
    read = Math.min(read, performance.now() - r0);
    const trace = computeTrace(s, 'sleep', 'httpbin', { namespace: 'default' }, io);
    verdict = `${trace.verdict}, ${trace.hops.length} hops`;
  });
  const ratio = total / parseAll;
  rows.push({
    measure: 'trace sleep→httpbin ÷ read+JSON.parse of every .json',
    ratio,
    target: '≤ 2',
    pass: ratio <= 2,
    detail: `${ms(total)} (readSnapshot ${ms(read)}) vs ${ms(parseAll)} for ${jsonFiles.length} files; snapshot ${mb(bytes)}; trace ${verdict}`,
  });
}

// ---------------------------------------------------------------- 2. cold start

function coldStart(): void {
  const node = (args: string[]): number => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return performance.now() - t;
  };
  node(['-e', '0']);
  node([CLI, '--version']);
  const bare: number[] = [];
  const cli: number[] = [];
  for (let i = 0; i < 10; i++) {
    bare.push(node(['-e', '0']));
    cli.push(node([CLI, '--version']));
  }
  const ratio = median(cli) / median(bare);
  rows.push({
    measure: 'cold `istio-path --version` ÷ `node -e 0`',
    ratio,
    target: '≤ 1.5',
    pass: ratio <= 1.5,
    detail: `median of 10: ${ms(median(cli))} vs ${ms(median(bare))}`,
  });
}

// ---------------------------------------------------------------- 3. peak memory

function peakMemory(snapshot: string, bytes: number): void {
  const args = [CLI, 'trace', 'sleep', 'httpbin', '--snapshot', snapshot, '-o', 'json'];
  let kb: number;
  let how: string;
  if (existsSync('/usr/bin/time')) {
    const r = spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`traced run failed (exit ${r.status}): ${r.stderr.slice(-500)}`);
    kb = Number(m[1]);
    how = '/usr/bin/time -v';
  } else {
    const hook = `process.on('exit',()=>process.stderr.write('maxRSS='+process.resourceUsage().maxRSS+'\\n'))`;
    const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    const m = /maxRSS=(\d+)/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`traced run failed (exit ${r.status}): ${r.stderr.slice(-500)}`);
    kb = Number(m[1]);
    how = 'process.resourceUsage().maxRSS';
  }
  const ratio = (kb * 1024) / bytes;
  rows.push({
    measure: 'peak RSS of `trace -o json` ÷ snapshot size',
    ratio,
    target: '< 3',
    pass: ratio < 3,
    detail: `${mb(kb * 1024)} vs ${mb(bytes)} (${how})`,
  });
}

// ---------------------------------------------------------------- 4. iptables-save parser linearity

function linearity(): void {
  const base = readFileSync(join(ROOT, BASE_SNAPSHOT, NODE_IPTABLES), 'utf8');
  const sizes = [1, 2, 4].map((k) => {
    const text = kubeProxyIptables(base, syntheticServices(SERVICES * k)).text;
    const time = best(5, () => parseIptablesSave(text, NODE_IPTABLES, 'iptables'));
    return { k, time, bytes: Buffer.byteLength(text) };
  });
  const [one] = sizes;
  for (const s of sizes.slice(1)) {
    const ratio = s.time / one.time;
    const limit = s.k * 1.3;
    rows.push({
      measure: `iptables-save parse ${s.k}× ÷ 1×`,
      ratio,
      target: `≈ ${s.k} (≤ ${limit.toFixed(1)})`,
      pass: ratio <= limit,
      detail: `${ms(s.time)} for ${mb(s.bytes)} vs ${ms(one.time)} for ${mb(one.bytes)}`,
    });
  }
}

// ---------------------------------------------------------------- helpers

async function step(name: string, run: () => void | Promise<void>): Promise<void> {
  const t = performance.now();
  try {
    await run();
  } catch (err) {
    rows.push({ measure: name, ratio: undefined, target: '', pass: undefined, detail: `failed: ${(err as Error).message}` });
  }
  log(`${name}: ${ms(performance.now() - t)}`);
}

function best(n: number, run: () => void): number {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    run();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

async function bestAsync(n: number, run: () => Promise<void>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function printTable(): void {
  const cells = rows.map((r) => [
    r.measure,
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target,
    r.pass === undefined ? 'ERROR' : r.pass ? 'PASS' : 'MISS',
    r.detail,
  ]);
  const header = ['measure', 'ratio', 'target', 'result', 'details'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  log('');
  log(line(header));
  log(line(widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? header[i].length : w))));
  for (const c of cells) log(line(c));
}

function ms(t: number): string {
  return t >= 1000 ? `${(t / 1000).toFixed(2)} s` : `${t.toFixed(t < 10 ? 1 : 0)} ms`;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function log(text: string): void {
  process.stdout.write(`${text}\n`);
}
