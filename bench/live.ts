// `npm run bench` (live part): a live trace of the Istio 1.18 scenarios against the fake API server
// with 100 ms of latency on every call. Prints the sequential round-trip waves (target ≤ 4), wall
// time and API calls per trace. A report, not a test: it exits 0 whatever it measures.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture } from '../src/capture/capture.ts';
import type { CallRecord } from '../src/capture/api.ts';
import { silent } from '../src/capture/progress.ts';
import { startFakeApiServer } from '../test/fake-apiserver/server.ts';
import { snapshotCluster } from '../test/fake-apiserver/snapshot.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LATENCY_MS = 100;
const SCENARIOS = [
  ['ambient-1.18-sleep-to-sidecar-httpbin', 'sleep', 'httpbin'],
  ['ambient-1.18-sidecar-sleep-to-ambient', 'sleep', 'httpbin.foo'],
  ['ambient-1.18-sidecar-sleep-to-ambient', 'sleep', 'helloworld.foo'],
] as const;

/** The longest chain of calls each started after the previous one ended: the round trips a user waits for. */
export function waves(calls: CallRecord[]): number {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  sorted.forEach((c, i) => {
    depth[i] = 1 + Math.max(0, ...sorted.slice(0, i).map((d, j) => (d.end <= c.start ? depth[j] : 0)));
  });
  return Math.max(0, ...depth);
}

// Loading the Kubernetes client once is start-up cost, not the capture's.
await import('@kubernetes/client-node');
console.log(`live trace, ${LATENCY_MS} ms latency per API call (target: ≤ 4 waves)`);
for (const [example, src, dst] of SCENARIOS) {
  const fake = await startFakeApiServer({ ...snapshotCluster(path.join(ROOT, 'examples', example)), latencyMs: LATENCY_MS });
  try {
    const t0 = performance.now();
    const captured = await capture({ pairs: [{ source: src, destination: dst }], flags: { kubeconfig: await fake.kubeconfig(), requestTimeout: '30s' }, env: {}, progress: silent, warn: () => {} });
    const wall = performance.now() - t0;
    const w = waves(captured.api.calls);
    console.log(`  ${w <= 4 ? 'PASS' : 'FAIL'}  ${example}: ${src} → ${dst}: ${w} waves, ${Math.round(wall)} ms, ${captured.api.calls.length} API calls`);
  } finally {
    await fake.close();
  }
}
process.exitCode = 0;
