import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli, exampleCluster } from './support.ts';
import { startFakeApiServer } from '../fake-apiserver/server.ts';
import type { FakeOptions } from '../fake-apiserver/server.ts';

const EXAMPLE = 'ambient-1.18-sleep-to-sidecar-httpbin';
const tmp = await mkdtemp(path.join(tmpdir(), 'istio-path-fail-'));
after(() => rm(tmp, { recursive: true, force: true }));

const noStack = (text: string) => assert.doesNotMatch(text, /^\s+at /m);

/** Failures that end the capture: exit 3, one message naming the call, the object and a hint. */
const FATAL: { name: string; change?: (o: FakeOptions) => FakeOptions; args?: string[]; stderr: string }[] = [
  {
    name: 'expired credentials',
    args: ['--token', 'expired'],
    stderr: 'error: cannot capture from the cluster: list pods --field-selector metadata.name=sleep in namespace default: unauthorized (401): the API server refused the credentials\n  hint: they may have expired: log in again or refresh the token (kubectl auth whoami checks them)\n',
  },
  {
    name: 'listing pods forbidden',
    change: (o) => ({ ...o, faults: [{ method: 'GET', path: /\/pods\?/, status: 403 }] }),
    stderr: 'error: cannot capture from the cluster: list pods --field-selector metadata.name=sleep in namespace default: forbidden (403): cannot list pods in namespace default\n  hint: grant "list" on "pods" (README, Live clusters: RBAC); kubectl auth can-i list pods -n default checks it\n',
  },
  {
    name: 'API server failing',
    change: (o) => ({ ...o, faults: [{ method: 'GET', path: /\/services\?/, status: 500, message: 'etcdserver: request timed out' }] }),
    stderr: 'error: cannot capture from the cluster: list services --field-selector metadata.name=sleep in namespace default: the API server answered 500: etcdserver: request timed out\n  hint: the API server is failing; retry, and check its health (kubectl get --raw /readyz)\n',
  },
  {
    name: 'request timeout',
    change: (o) => ({ ...o, faults: [{ method: 'GET', path: /endpointslices/, delayMs: 3000 }] }),
    args: ['--request-timeout', '300ms'],
    stderr: 'error: cannot capture from the cluster: list endpointslices -l kubernetes.io/service-name=sleep in namespace default: no answer within 0.3s\n  hint: raise --request-timeout, or check that the API server and the node are reachable\n',
  },
];

describe('capture failures that end it', () => {
  for (const f of FATAL) {
    it(f.name, async () => {
      const { fake, kubeconfig } = await exampleCluster(EXAMPLE, f.change);
      try {
        const r = await cli(['trace', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, ...(f.args ?? [])]);
        assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error:') || l.startsWith('  hint:')).join('\n') + '\n', f.stderr);
        assert.equal(r.code, 3);
        noStack(r.stderr);
      } finally {
        await fake.close();
      }
    });
  }

  it('an unreachable API server', async () => {
    const fake = await startFakeApiServer({ objects: {}, tls: false });
    const kubeconfig = await fake.kubeconfig();
    await fake.close();
    const r = await cli(['trace', 'sleep', 'httpbin', '--kubeconfig', kubeconfig]);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'error: cannot capture from the cluster: list pods --field-selector metadata.name=sleep in namespace default: cannot reach the API server (ECONNREFUSED)\n  hint: is the cluster up, and are --server / --context right? (kubectl cluster-info)\n');
  });

  it('a kubeconfig context that does not exist', async () => {
    const { fake, kubeconfig } = await exampleCluster(EXAMPLE);
    try {
      const r = await cli(['capture', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, '--context', 'prod', '-o', path.join(tmp, 'x')]);
      assert.deepEqual(r, { code: 3, stdout: '', stderr: `error: cannot capture from the cluster: read kubeconfig ${kubeconfig}: context "prod" does not exist\n  hint: check --kubeconfig / $KUBECONFIG and --context (kubectl config get-contexts)\n` });
    } finally {
      await fake.close();
    }
  });
});

/** Failures of one read: the trace goes on, those hops are inferred, meta.json lists what failed. */
const PARTIAL: { name: string; change: (o: FakeOptions) => FakeOptions; warnings: string[]; failures: unknown[] }[] = [
  {
    name: 'exec forbidden on the nodes',
    change: (o) => ({ ...o, faults: [{ method: 'UPGRADE', path: /istio-cni-node-node-a\/exec/, status: 403 }] }),
    warnings: [
      'warning: create pods/exec istio-system/istio-cni-node-node-a: forbidden (403): cannot create pods/exec in namespace istio-system (dumping nodes/node-a)',
      'warning: create pods/exec istio-system/istio-cni-node-node-a: forbidden (403): cannot create pods/exec in namespace istio-system (dumping pods/default/sleep-6c4d9f7b8-x2x9q)',
      'warning: create pods/exec istio-system/istio-cni-node-node-a: forbidden (403): cannot create pods/exec in namespace istio-system (dumping pods/istio-system/ztunnel-ax7k2)',
      'warning: 3 read(s) failed; the hops that needed them are inferred (meta.json lists them)',
    ],
    failures: ['nodes/node-a', 'pods/default/sleep-6c4d9f7b8-x2x9q', 'pods/istio-system/ztunnel-ax7k2'].map((d) => ({ call: 'create pods/exec', object: 'istio-system/istio-cni-node-node-a', error: `forbidden (403): cannot create pods/exec in namespace istio-system (dumping ${d})` })),
  },
  {
    name: 'a command that exits non-zero',
    change: (o) => ({ ...o, exec: async (req) => (req.command[4] === 'host' && req.object.spec.nodeName === 'node-b' ? { stdout: '', stderr: 'nsenter: cannot open /proc/1/ns/net: Permission denied', code: 1 } : o.exec!(req)) }),
    warnings: [
      'warning: exec collection script (pods/istio-system/istio-cni-node-node-b) nodes/node-b: exit code 1: nsenter: cannot open /proc/1/ns/net: Permission denied',
      'warning: 1 read(s) failed; the hops that needed them are inferred (meta.json lists them)',
    ],
    failures: [{ call: 'exec collection script (pods/istio-system/istio-cni-node-node-b)', object: 'nodes/node-b', error: 'exit code 1: nsenter: cannot open /proc/1/ns/net: Permission denied' }],
  },
  {
    name: 'a port-forward that drops mid-stream, then the exec fallback',
    change: (o) => ({ ...o, faults: [{ method: 'UPGRADE', path: /httpbin.*portforward/, drop: true }] }),
    warnings: [
      'warning: create pods/portforward default/httpbin-7d8f6c9b5-4kq2m:15000: GET /config_dump?include_eds: the port-forward closed mid-stream',
      'warning: 1 read(s) failed; the hops that needed them are inferred (meta.json lists them)',
    ],
    failures: [{ call: 'create pods/portforward', object: 'default/httpbin-7d8f6c9b5-4kq2m:15000', error: 'GET /config_dump?include_eds: the port-forward closed mid-stream' }],
  },
  {
    name: 'a ztunnel that vanished mid-capture',
    change: (o) => ({ ...o, faults: [{ method: 'UPGRADE', path: /ztunnel-bx7k2\/portforward/, status: 404, message: 'pods "ztunnel-bx7k2" not found' }] }),
    warnings: [
      'warning: create pods/portforward istio-system/ztunnel-bx7k2: not found (404): it no longer exists',
      'warning: 1 read(s) failed; the hops that needed them are inferred (meta.json lists them)',
    ],
    failures: [{ call: 'create pods/portforward', object: 'istio-system/ztunnel-bx7k2', error: 'not found (404): it no longer exists' }],
  },
];

describe('capture failures that leave hops inferred', () => {
  for (const f of PARTIAL) {
    it(f.name, async () => {
      const { fake, kubeconfig } = await exampleCluster(EXAMPLE, f.change);
      try {
        const saved = path.join(tmp, f.name.replaceAll(' ', '-'));
        const r = await cli(['trace', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, '--save-snapshot', saved, '-o', 'json']);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.stderr.trimEnd().split('\n'), f.warnings);
        const meta = JSON.parse(await readFile(path.join(saved, 'meta.json'), 'utf8'));
        assert.deepEqual(meta.failures, f.failures);
        assert.equal(JSON.parse(r.stdout).kind, 'Trace');
      } finally {
        await fake.close();
      }
    });
  }
});
