import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { cli, exampleCluster } from './support.ts';

const EXAMPLE = 'ambient-1.18-sleep-to-sidecar-httpbin';
const tmp = await mkdtemp(path.join(tmpdir(), 'istio-path-access-'));
after(() => rm(tmp, { recursive: true, force: true }));

async function netnsFiles(dir: string): Promise<string[]> {
  const all = await readdir(dir, { recursive: true });
  return all.filter((f) => /^(nodes|pods)\/.+\.(txt|json)$/.test(f)).sort();
}

const NETNS = ['ip-addr.json', 'ip-link.json', 'ip-route.json', 'ip-rule.json', 'iptables-save.txt', 'sockets.txt'];
const ALL_NETNS = [
  ...['node-a', 'node-b'].flatMap((n) => [...NETNS, 'ipset.txt'].sort().map((f) => `nodes/${n}/${f}`)),
  ...['default/httpbin-7d8f6c9b5-4kq2m', 'default/sleep-6c4d9f7b8-x2x9q', 'istio-system/ztunnel-ax7k2', 'istio-system/ztunnel-bx7k2'].flatMap((p) => NETNS.map((f) => `pods/${p}/${f}`)),
];
const DUMPS = ['pods/default/httpbin-7d8f6c9b5-4kq2m/envoy-config-dump.json', 'pods/istio-system/ztunnel-ax7k2/ztunnel-config-dump.json', 'pods/istio-system/ztunnel-bx7k2/ztunnel-config-dump.json'];

describe('node access strategies', () => {
  it('debug-pod: one privileged hostNetwork/hostPID pod per node, deleted afterwards', async () => {
    const { fake, kubeconfig } = await exampleCluster(EXAMPLE, (o) => ({ ...o, objects: { ...o.objects, pods: o.objects.pods.filter((p) => !p.metadata.name.startsWith('istio-cni-node')) } }));
    try {
      const out = path.join(tmp, 'debug-pod');
      const r = await cli(['capture', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, '--node-access', 'debug-pod', '--debug-image', 'example/tools:1', '-o', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await netnsFiles(out), [...ALL_NETNS, ...DUMPS].sort());
      const created = fake.requests.filter((q) => q.method === 'POST').map((q) => q.path);
      const deleted = fake.requests.filter((q) => q.method === 'DELETE').map((q) => q.path.replace(/\?.*/, ''));
      assert.deepEqual(created, ['/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/pods']);
      assert.equal(deleted.length, 2);
      assert.ok(deleted.every((p) => /^\/api\/v1\/namespaces\/default\/pods\/istio-path-debug-[0-9a-f]{8}$/.test(p)));
      assert.deepEqual(fake.objects.pods.filter((p) => p.metadata.name.startsWith('istio-path-debug')), []);
      assert.equal(JSON.parse(await readFile(path.join(out, 'meta.json'), 'utf8')).capture.nodeAccess, 'debug-pod');
    } finally {
      await fake.close();
    }
  });

  it('debug-pod: the pods are deleted also when every exec fails', async () => {
    const { fake, kubeconfig } = await exampleCluster(EXAMPLE, (o) => ({ ...o, faults: [{ method: 'UPGRADE', path: /istio-path-debug.*\/exec/, status: 500 }] }));
    try {
      const r = await cli(['capture', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, '--node-access', 'debug-pod', '-o', path.join(tmp, 'debug-fail')]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /warning: create pods\/exec default\/istio-path-debug-[0-9a-f]{8}: the API server answered 500/);
      assert.deepEqual(fake.objects.pods.filter((p) => p.metadata.name.startsWith('istio-path-debug')), []);
    } finally {
      await fake.close();
    }
  });

  it('ephemeral: pods only, with a warning that the containers stay', async () => {
    const { fake, kubeconfig } = await exampleCluster(EXAMPLE);
    try {
      const out = path.join(tmp, 'ephemeral');
      const r = await cli(['capture', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, '--node-access', 'ephemeral', '-o', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr.split('\n')[0], 'warning: ephemeral containers cannot be removed: each traced pod keeps a stopped istio-path-* container until the pod is deleted');
      assert.deepEqual(await netnsFiles(out), [...ALL_NETNS.filter((f) => f.startsWith('pods/')), ...DUMPS].sort());
      const patched = fake.requests.filter((q) => q.method === 'PATCH').map((q) => q.path).sort();
      assert.deepEqual(patched, ['default/httpbin-7d8f6c9b5-4kq2m', 'default/sleep-6c4d9f7b8-x2x9q', 'istio-system/ztunnel-ax7k2', 'istio-system/ztunnel-bx7k2'].map((p) => `/api/v1/namespaces/${p.replace('/', '/pods/')}/ephemeralcontainers`));
    } finally {
      await fake.close();
    }
  });

  it('none: no netns data, the kernel hops inferred', async () => {
    const { fake, kubeconfig } = await exampleCluster(EXAMPLE);
    try {
      const out = path.join(tmp, 'none');
      const r = await cli(['trace', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, '--node-access', 'none', '--save-snapshot', out, '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await netnsFiles(out), DUMPS);
      assert.equal(fake.requests.filter((q) => q.path.includes('/exec')).length, 0);
      const trace = JSON.parse(r.stdout) as { hops: { component: string; status: string }[] };
      assert.ok(trace.hops.filter((h) => h.component === 'kernel').every((h) => h.status === 'inferred'));
    } finally {
      await fake.close();
    }
  });

  it('no istio-cni-node pod and no --node-access: the default reads no netns', async () => {
    const { fake, kubeconfig } = await exampleCluster(EXAMPLE, (o) => ({ ...o, objects: { ...o.objects, pods: o.objects.pods.filter((p) => !p.metadata.name.startsWith('istio-cni-node')) } }));
    try {
      const out = path.join(tmp, 'default-none');
      const r = await cli(['capture', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, '-o', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(await readFile(path.join(out, 'meta.json'), 'utf8')).capture.nodeAccess, 'none');
      assert.deepEqual(await netnsFiles(out), DUMPS);
    } finally {
      await fake.close();
    }
  });

  it('local: a node that is not this machine is a failure naming it', async () => {
    const { fake, kubeconfig } = await exampleCluster(EXAMPLE);
    try {
      const out = path.join(tmp, 'local');
      const r = await cli(['capture', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, '--node-access', 'local', '-o', out]);
      assert.equal(r.code, 0, r.stderr);
      const failures = JSON.parse(await readFile(path.join(out, 'meta.json'), 'utf8')).failures as { call: string; object: string; error: string }[];
      assert.deepEqual(failures.filter((f) => f.object === 'nodes/node-a'), [{ call: 'local netns', object: 'nodes/node-a', error: `node node-a is not this machine (${hostname()}); run istio-path on that node, or choose another --node-access` }]);
    } finally {
      await fake.close();
    }
  });

  it('config dumps are saved without their secrets', async () => {
    const secret = { '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump', dynamic_active_secrets: [{ name: 'default', secret: { tls_certificate: { private_key: { inline_string: '-----BEGIN RSA PRIVATE KEY-----\nAAA\n-----END RSA PRIVATE KEY-----' } } } }] };
    const { fake, kubeconfig } = await exampleCluster(EXAMPLE, (o) => ({ ...o, http: (pod, port, p) => {
      const a = o.http!(pod, port, p);
      if (!a || a.status !== 200 || pod.metadata.labels?.app === 'ztunnel') return a;
      const dump = JSON.parse(a.body);
      dump.configs.push(secret);
      return { status: 200, body: JSON.stringify(dump) };
    } }));
    try {
      const out = path.join(tmp, 'redacted');
      const r = await cli(['capture', 'sleep', 'httpbin', '--kubeconfig', kubeconfig, '-o', out]);
      assert.equal(r.code, 0, r.stderr);
      const text = await readFile(path.join(out, DUMPS[0]), 'utf8');
      assert.doesNotMatch(text, /SecretsConfigDump|PRIVATE KEY/);
      assert.ok(JSON.parse(text).configs.length > 0);
    } finally {
      await fake.close();
    }
  });
});
