import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli, exampleCluster } from './support.ts';
import { projectRoot } from '../support/corpus.ts';

// The offline reports name examples/ relative to the root, as the fixtures do.
process.chdir(projectRoot);

const tmp = await mkdtemp(path.join(tmpdir(), 'istio-path-assert-live-'));
after(() => rm(tmp, { recursive: true, force: true }));

/** Two pairs of examples/ambient-1.24-inpod, every expectation of which holds there. */
const AMBIENT = { example: 'ambient-1.24-inpod', file: 'test/cli/assert-fixtures/ambient.yaml' };
/** Three pairs of examples/mixed-1.24 across two namespaces, one expectation of which fails. */
const MIXED = { example: 'mixed-1.24', file: 'test/cli/assert-fixtures/mixed.yaml' };

/**
 * The report without what says where its snapshot came from, and with evidence in the Kubernetes
 * lists named by object rather than by index: a capture's lists hold only its pairs' objects.
 */
function comparable(json: string): unknown {
  const report = JSON.parse(json) as { snapshot: Record<string, unknown>; results: { trace: { snapshot: Record<string, unknown> } }[] };
  for (const header of [report.snapshot, ...report.results.map((r) => r.trace.snapshot)]) {
    delete header.path;
    delete header.capturedAt;
  }
  return JSON.parse(JSON.stringify(report, (key, value) => (key === 'pointer' && typeof value === 'string' ? value.replace(/^\/items\/\d+/, '/items/*') : value)));
}

describe('live assert -f: one capture for every pair, the same results as the snapshot', () => {
  for (const { example, file } of [AMBIENT, MIXED]) {
    it(`${file} against a cluster serving ${example}`, async () => {
      const { fake, kubeconfig } = await exampleCluster(example);
      try {
        const saved = path.join(tmp, `${example}.tar.gz`);
        const live = await cli(['assert', '-f', file, '--kubeconfig', kubeconfig, '-o', 'json', '--save-snapshot', saved]);
        const offline = await cli(['assert', '-f', file, '--snapshot', `examples/${example}`, '-o', 'json']);
        assert.equal(live.code, offline.code, live.stderr);
        assert.equal(live.stderr, offline.stderr);
        assert.deepEqual(comparable(live.stdout), comparable(offline.stdout));
        assert.equal(JSON.parse(live.stdout).snapshot.path, saved);
        // The saved snapshot asserts the same, and its meta.json names every pair it was captured for.
        const again = await cli(['assert', '-f', file, '--snapshot', saved, '-o', 'json']);
        assert.deepEqual(comparable(again.stdout), comparable(offline.stdout));
      } finally {
        await fake.close();
      }
    });
  }

  it('meta.json lists the pairs, and the Kubernetes lists hold only what they need', async () => {
    const { fake, kubeconfig } = await exampleCluster(AMBIENT.example);
    try {
      const saved = path.join(tmp, 'ambient-dir');
      const r = await cli(['assert', '-f', AMBIENT.file, '--kubeconfig', kubeconfig, '--save-snapshot', saved]);
      assert.equal(r.code, 0, r.stderr);
      const meta = JSON.parse(await readFile(path.join(saved, 'meta.json'), 'utf8'));
      assert.deepEqual(meta.capture, { nodeAccess: 'istio-cni', pairs: [['default/sleep-5d8c9f6b7-h4tjw', 'default/reviews'], ['default/sleep-5d8c9f6b7-h4tjw', 'default/httpbin']], filtered: true });
      const services = JSON.parse(await readFile(path.join(saved, 'k8s/services.json'), 'utf8')).items.map((s: { metadata: { name: string } }) => s.metadata.name);
      // `sleep` is looked up as a Service too (the resolver tries that reading); the waypoint's is never read.
      assert.deepEqual(services, ['httpbin', 'reviews', 'sleep']);
    } finally {
      await fake.close();
    }
  });

  it('two pairs cost fewer API calls than capturing each on its own', async () => {
    const { fake, kubeconfig } = await exampleCluster(AMBIENT.example);
    try {
      const calls = async (args: string[]) => {
        const before = fake.requests.length;
        const r = await cli(['assert', ...args, '--kubeconfig', kubeconfig]);
        assert.equal(r.code, 0, r.stderr);
        return fake.requests.length - before;
      };
      const reviews = await calls(['sleep', 'reviews']);
      const httpbin = await calls(['sleep', 'httpbin', '--port', '8000']);
      const both = await calls(['-f', AMBIENT.file]);
      assert.ok(both < reviews + httpbin, `${both} API calls for both pairs, ${reviews} + ${httpbin} for each alone`);
      assert.ok(both < 2 * Math.min(reviews, httpbin), `${both} API calls for both pairs, ${reviews} and ${httpbin} for each alone`);
      // Never a list of every pod: each pod list is narrowed by a label or field selector.
      const podLists = fake.requests.filter((q) => q.method === 'GET' && /\/pods(\?|$)/.test(q.path));
      assert.ok(podLists.length > 0);
      for (const q of podLists) assert.match(q.path, /[?&](labelSelector|fieldSelector)=/, q.path);
    } finally {
      await fake.close();
    }
  });
});

describe('live assert: exit codes', () => {
  const EXPECTATIONS_HEAD = 'apiVersion: istio-path/v1\nkind: Expectations\npairs:\n';

  it('0 when every expectation holds, 1 when one fails (--soft: 0)', async () => {
    const { fake, kubeconfig } = await exampleCluster(AMBIENT.example);
    try {
      const holds = await cli(['assert', 'sleep', 'reviews', '--via', 'waypoint', '--hbone', '--kubeconfig', kubeconfig]);
      assert.equal(holds.code, 0, holds.stderr);
      assert.match(holds.stdout, /^2 passed, 0 failed$/m);
      const fails = await cli(['assert', 'sleep', 'httpbin', '--port', '8000', '--via', 'waypoint', '--kubeconfig', kubeconfig]);
      assert.equal(fails.code, 1, fails.stderr);
      assert.match(fails.stdout, /^✗ sleep → httpbin:8000: via waypoint$/m);
      const soft = await cli(['assert', 'sleep', 'httpbin', '--port', '8000', '--via', 'waypoint', '--soft', '--kubeconfig', kubeconfig]);
      assert.equal(soft.code, 0, soft.stderr);
    } finally {
      await fake.close();
    }
  });

  it('without -n, a pair is in the kubeconfig context\'s namespace, as for trace', async () => {
    const { fake } = await exampleCluster(MIXED.example);
    try {
      const config = await fake.kubeconfig({ namespace: 'legacy' });
      const r = await cli(['assert', 'client', 'httpbin.default', '--via', 'ztunnel', '--kubeconfig', config, '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).results[0].expectation.pair.namespace, 'legacy');
    } finally {
      await fake.close();
    }
  });

  it('2 for a pair of the file that the cluster does not have, pointing at it; nothing is read beyond the lookups', async () => {
    const { fake, kubeconfig } = await exampleCluster(AMBIENT.example);
    try {
      const file = path.join(tmp, 'unknown.yaml');
      await writeFile(file, `${EXPECTATIONS_HEAD}  - source: sleep\n    destination: reviews\n  - source: sleep\n    destination: nosuch\n`);
      const r = await cli(['assert', '-f', file, '--kubeconfig', kubeconfig]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6: /pairs/1: .*nosuch`));
      assert.ok(!fake.requests.some((q) => q.method === 'UPGRADE'), 'no exec or port-forward for a plan that cannot run');
    } finally {
      await fake.close();
    }
  });

  it('3 when the capture fails, with the capture\'s own message and hint', async () => {
    const { fake, kubeconfig } = await exampleCluster(AMBIENT.example, (o) => ({ ...o, faults: [{ method: 'GET', path: /\/pods\?/, status: 403 }] }));
    try {
      const r = await cli(['assert', '-f', AMBIENT.file, '--kubeconfig', kubeconfig]);
      assert.equal(r.code, 3);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^error: cannot capture from the cluster: list pods .*: forbidden \(403\): cannot list pods in namespace default\n  hint: grant "list" on "pods" \(README, Live clusters: RBAC\)/);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    } finally {
      await fake.close();
    }
  });

  it('3 with no cluster to capture from', async () => {
    const r = await cli(['assert', '-f', AMBIENT.file]);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'error: cannot capture from the cluster: read kubeconfig (no kubeconfig found): no API server: no current context and no --server\n  hint: check --kubeconfig / $KUBECONFIG and --context (kubectl config get-contexts), pass --server and --token, or trace a saved snapshot with --snapshot PATH\n');
  });

  it('2 for a usage error, before any API call', async () => {
    const { fake, kubeconfig } = await exampleCluster(AMBIENT.example);
    try {
      const r = await cli(['assert', '-f', AMBIENT.file, '--port', '80', '--kubeconfig', kubeconfig]);
      assert.equal(r.code, 2);
      assert.equal(fake.requests.length, 0);
    } finally {
      await fake.close();
    }
  });
});
