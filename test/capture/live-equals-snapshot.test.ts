import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { cli, exampleCluster } from './support.ts';
import { projectRoot } from '../support/corpus.ts';

// Traces print the snapshot path as given; the offline traces name examples/ relative to the root.
process.chdir(projectRoot);

/**
 * A live trace is a capture then a trace: against a fake API server serving an example snapshot,
 * the live trace must equal the trace of the snapshot itself (all but where the snapshot came from).
 */
const SCENARIOS: { example: string; args: string[] }[] = [
  { example: 'ambient-1.18-sleep-to-sidecar-httpbin', args: ['sleep', 'httpbin'] },
  { example: 'ambient-1.18-sidecar-sleep-to-ambient', args: ['sleep', 'httpbin.foo'] },
  // The waypoint runs on a third node: only --all-nodes reads that node's netns.
  { example: 'ambient-1.18-sidecar-sleep-to-ambient', args: ['sleep', 'helloworld.foo', '--all-nodes'] },
  { example: 'ambient-1.24-inpod', args: ['sleep', 'httpbin'] },
  { example: 'ambient-1.24-inpod', args: ['sleep', 'reviews'] },
  { example: 'ambient-1.21-inpod-tproxy', args: ['sleep', 'httpbin'] },
  { example: 'sidecar-iptables', args: ['sleep', 'httpbin'] },
  { example: 'sidecar-nftables', args: ['sleep', 'httpbin'] },
  { example: 'sidecar-to-ambient-waypoint-bypass', args: ['sleep.legacy', 'reviews.default'] },
  { example: 'mixed-1.24', args: ['sleep', 'legacy-app.legacy'] },
  { example: 'mixed-1.24', args: ['client.legacy', 'httpbin.default'] },
  { example: 'mixed-1.24', args: ['sleep', 'postgres.legacy'] },
];

const pair = (args: string[]) => args.filter((a) => !a.startsWith('--'));

const tmp = await mkdtemp(path.join(tmpdir(), 'istio-path-live-'));
after(() => rm(tmp, { recursive: true, force: true }));

/**
 * The trace without the header fields that say where the snapshot came from, and with evidence in
 * the Kubernetes lists named by object rather than by index: a capture's lists hold only the pair's
 * objects, so the same pod sits at another `/items/N`.
 */
function comparable(json: string): unknown {
  const trace = JSON.parse(json) as { snapshot: Record<string, unknown> };
  delete trace.snapshot.path;
  delete trace.snapshot.capturedAt;
  return JSON.parse(JSON.stringify(trace, (key, value) => (key === 'pointer' && typeof value === 'string' ? value.replace(/^\/items\/\d+/, '/items/*') : value)));
}

describe('live trace of an example equals the trace of its snapshot', () => {
  for (const s of SCENARIOS) {
    it(`${s.example}: ${pair(s.args).join(' → ')}${s.args.length > 2 ? ` (${s.args.slice(2).join(' ')})` : ''}`, async () => {
      const { fake, kubeconfig } = await exampleCluster(s.example);
      try {
        const saved = path.join(tmp, `${s.example}-${pair(s.args).join('-')}.tar.gz`);
        const live = await cli(['trace', ...s.args, '--kubeconfig', kubeconfig, '-o', 'json', '--save-snapshot', saved]);
        const offline = await cli(['trace', ...pair(s.args), '--snapshot', `examples/${s.example}`, '-o', 'json']);
        assert.equal(live.code, 0, live.stderr);
        assert.deepEqual(comparable(live.stdout), comparable(offline.stdout));
        // The saved snapshot traces the same, and says how and what it captured.
        const again = await cli(['trace', ...pair(s.args), '--snapshot', saved, '-o', 'json']);
        assert.deepEqual(comparable(again.stdout), comparable(offline.stdout));
        assert.equal(JSON.parse(again.stdout).snapshot.path, saved);
      } finally {
        await fake.close();
      }
    });
  }
});

describe('capture', () => {
  it('writes the pair\'s snapshot with meta.json naming the node access, the pair and that it is filtered', async () => {
    const { fake, kubeconfig } = await exampleCluster('ambient-1.18-sleep-to-sidecar-httpbin');
    try {
      const out = path.join(tmp, 'capture-dir');
      const r = await cli(['capture', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, '-o', out]);
      assert.equal(r.code, 0, r.stderr);
      const meta = JSON.parse(await readFile(path.join(out, 'meta.json'), 'utf8'));
      assert.deepEqual({ ...meta, capturedAt: undefined }, {
        format: 'istio-path-snapshot/v1',
        capturedAt: undefined,
        origin: 'live',
        cluster: { context: 'fake', server: fake.url },
        istio: { version: '1.18.2' },
        capture: { nodeAccess: 'istio-cni', pair: ['default/sleep-6c4d9f7b8-x2x9q', 'default/httpbin'], filtered: true },
      });
      const pods = JSON.parse(await readFile(path.join(out, 'k8s/pods.json'), 'utf8')).items.map((p: { metadata: { namespace: string; name: string } }) => `${p.metadata.namespace}/${p.metadata.name}`);
      assert.deepEqual(pods, ['default/httpbin-7d8f6c9b5-4kq2m', 'default/sleep-6c4d9f7b8-x2x9q', 'istio-system/ztunnel-ax7k2', 'istio-system/ztunnel-bx7k2']);
      assert.match(r.stderr, /^captured default\/sleep-6c4d9f7b8-x2x9q → default\/httpbin into .*capture-dir \(\d+ files, \d+ API calls\)\n$/);
    } finally {
      await fake.close();
    }
  });
});
