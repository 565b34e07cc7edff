import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeProxyFiles } from '../../../scripts/examples/proxies.ts';
import { EXAMPLES } from '../../../scripts/examples/topology.ts';
import type { ExampleSpec } from '../../../scripts/examples/topology.ts';
import { parseEnvoyConfigDump } from '../../../src/parse/envoy-config-dump.ts';
import { parseZtunnelConfigDump } from '../../../src/parse/ztunnel-config-dump.ts';
import { parsePods } from '../../../src/parse/k8s.ts';

type Json = Record<string, any>;

let root: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'istio-path-proxies-'));
  for (const spec of EXAMPLES) await writeProxyFiles(spec, path.join(root, spec.name));
});
after(async () => rm(root, { recursive: true, force: true }));

const read = async (spec: ExampleSpec, rel: string): Promise<string> => readFile(path.join(root, spec.name, rel), 'utf8');
const readJson = async (spec: ExampleSpec, rel: string): Promise<Json> => JSON.parse(await read(spec, rel));
const example = (name: string): ExampleSpec => EXAMPLES.find((e) => e.name === name) as ExampleSpec;

/** Every workload entry of a ztunnel dump, whatever the generation's layout. */
function ztunnelWorkloads(dump: Json): Json[] {
  if (Array.isArray(dump.workloads)) return dump.workloads;
  return Object.values(dump.workloads ?? dump.by_addr);
}

const ipsOf = (w: Json): string[] => w.workloadIps ?? [w.workloadIp];

async function envoy(spec: ExampleSpec, ns: string, podPrefix: string): Promise<{ raw: Json; text: string; file: string }> {
  const pod = spec.pods.find((p) => p.namespace === ns && p.name.startsWith(podPrefix));
  assert.ok(pod, `${spec.name}: no pod ${ns}/${podPrefix}*`);
  const file = `pods/${ns}/${pod.name}/envoy-config-dump.json`;
  const text = await read(spec, file);
  return { raw: JSON.parse(text), text, file };
}

const endpointsOf = (dump: Json, cluster: string): Json[] => {
  const eds = dump.configs.find((c: Json) => c['@type'].endsWith('EndpointsConfigDump'));
  const cla = eds.dynamic_endpoint_configs.find((e: Json) => e.endpoint_config.cluster_name === cluster);
  assert.ok(cla, `no EDS for ${cluster}`);
  return cla.endpoint_config.endpoints.flatMap((l: Json) => l.lb_endpoints);
};

describe('example proxy files', () => {
  for (const spec of EXAMPLES) {
    describe(spec.name, () => {
      it('meta.json names the snapshot format, the version and the origin', async () => {
        const meta = await readJson(spec, 'meta.json');
        assert.equal(meta.format, 'istio-path-snapshot/v1');
        assert.equal(meta.origin, 'example');
        assert.equal(meta.istio.version, spec.istio);
        assert.equal(meta.cluster.context, `kind-${spec.name}`);
      });

      it('pods.json holds every pod with its IP and node', async () => {
        const pods = parsePods(await read(spec, 'k8s/pods.json'), 'k8s/pods.json');
        for (const p of spec.pods) {
          const found = pods.find((q) => q.name === p.name && q.namespace === p.namespace);
          assert.ok(found, `${p.namespace}/${p.name} missing`);
          assert.equal(found.ip, p.ip);
          assert.equal(found.node, p.node);
        }
      });

      it('every ztunnel dump knows every pod, ambient ones over HBONE', async () => {
        for (const z of spec.pods.filter((p) => p.mode === 'ztunnel')) {
          const rel = `pods/${z.namespace}/${z.name}/ztunnel-config-dump.json`;
          const text = await read(spec, rel);
          parseZtunnelConfigDump(text, rel);
          const workloads = ztunnelWorkloads(JSON.parse(text));
          for (const p of spec.pods) {
            const w = workloads.find((x) => ipsOf(x).includes(p.ip));
            assert.ok(w, `${z.name}: no workload for ${p.name}`);
            assert.equal(w.protocol, p.ztunnelProtocol ?? (p.mode === 'ambient' ? 'HBONE' : 'TCP'), `${z.name}: ${p.name}`);
          }
        }
      });

      it('every sidecar and waypoint dump parses', async () => {
        for (const p of spec.pods.filter((q) => q.mode === 'sidecar' || q.mode === 'waypoint')) {
          const rel = `pods/${p.namespace}/${p.name}/envoy-config-dump.json`;
          const config = parseEnvoyConfigDump(await read(spec, rel), rel);
          assert.equal(config.nodeId, `${p.mode}~${p.ip}~${p.name}.${p.namespace}~${p.namespace}.svc.cluster.local`);
          assert.equal(config.istioVersion, spec.istio);
        }
      });
    });
  }

  it('1.18 ambient sleep → sidecar httpbin: httpbin is reached with mTLS on its pod port', async () => {
    const spec = example('ambient-1.18-sleep-to-sidecar-httpbin');
    const { raw, text } = await envoy(spec, 'default', 'httpbin-');
    const [ep] = endpointsOf(raw, 'outbound|8000||httpbin.default.svc.cluster.local');
    assert.deepEqual(ep.endpoint.address.socket_address, { address: '10.244.2.7', port_value: 80 });
    assert.equal(ep.metadata.filter_metadata['envoy.transport_socket_match'].tlsMode, 'istio');
    for (const name of ['"virtualInbound"', '"virtualOutbound"', '"inbound|80||"', '"InboundPassthroughClusterIpv4"', '"PassthroughCluster"', '"BlackHoleCluster"']) {
      assert.ok(text.includes(name), name);
    }
  });

  it('1.18 sidecar sleep → ambient: HBONE endpoints, the waypoint for helloworld', async () => {
    const spec = example('ambient-1.18-sidecar-sleep-to-ambient');
    const { raw, text } = await envoy(spec, 'default', 'sleep-');
    const [httpbin] = endpointsOf(raw, 'outbound|8000||httpbin.foo.svc.cluster.local');
    assert.deepEqual(httpbin.endpoint.address.envoy_internal_address, { server_listener_name: 'connect_originate', endpoint_id: '10.244.2.7:80' });
    assert.deepEqual(httpbin.metadata.filter_metadata.tunnel, { address: '10.244.2.7:15008', destination: '10.244.2.7:80' });
    const [hello] = endpointsOf(raw, 'outbound|5000||helloworld.foo.svc.cluster.local');
    assert.deepEqual(hello.metadata.filter_metadata.tunnel, { address: '10.244.3.4:15008', destination: '10.244.4.6:5000' });
    assert.ok(text.includes('"tunneling_config"') && text.includes('%DOWNSTREAM_LOCAL_ADDRESS%'));

    const waypoint = await envoy(spec, 'foo', 'helloworld-istio-waypoint-');
    for (const name of ['"connect_terminate"', '"main_internal"', '"connect_originate"', '"inbound-vip|5000|http|helloworld.foo.svc.cluster.local"']) {
      assert.ok(waypoint.text.includes(name), name);
    }
    const [pod] = endpointsOf(waypoint.raw, 'inbound-vip|5000|http|helloworld.foo.svc.cluster.local');
    assert.deepEqual(pod.metadata.filter_metadata.tunnel, { address: '10.244.4.6:15008', destination: '10.244.4.6:5000' });

    const zt = ztunnelWorkloads(await readJson(spec, 'pods/istio-system/ztunnel-dx7k2/ztunnel-config-dump.json'));
    assert.deepEqual(zt.find((w) => w.workloadIp === '10.244.4.6')?.waypointAddresses, ['10.244.3.4']);
  });

  it('1.24 waypoint serves reviews through main_internal and dials the pod over HBONE', async () => {
    const spec = example('ambient-1.24-inpod');
    const { raw, text } = await envoy(spec, 'default', 'waypoint-');
    for (const name of ['"connect_terminate"', '"main_internal"', '"connect_originate"', '"inbound-vip|9080|http|reviews.default.svc.cluster.local"', '"10.96.55.4"']) {
      assert.ok(text.includes(name), name);
    }
    const [pod] = endpointsOf(raw, 'inbound-vip|9080|http|reviews.default.svc.cluster.local');
    assert.equal(pod.endpoint.address.envoy_internal_address.server_listener_name, 'connect_originate');
    assert.deepEqual(pod.metadata.filter_metadata['envoy.filters.listener.original_dst'], { local: '10.244.2.8:9080' });

    const dump = await readJson(spec, 'pods/istio-system/ztunnel-ax7k2/ztunnel-config-dump.json');
    const reviews = dump.services.find((s: Json) => s.name === 'reviews');
    assert.deepEqual(reviews.waypoint, { destination: '/10.96.65.117', hboneMtlsPort: 15008 });
    assert.ok(dump.services.some((s: Json) => s.name === 'waypoint' && s.vips[0] === '/10.96.65.117'));
  });

  it('1.24 sidecar → ambient reviews: HBONE to the pod itself, not the waypoint', async () => {
    const spec = example('sidecar-to-ambient-waypoint-bypass');
    const { raw } = await envoy(spec, 'legacy', 'sleep-');
    const [ep] = endpointsOf(raw, 'outbound|9080||reviews.default.svc.cluster.local');
    assert.deepEqual(ep.endpoint.address.envoy_internal_address, { server_listener_name: 'connect_originate', endpoint_id: '10.244.2.8:9080' });
    assert.deepEqual(ep.metadata.filter_metadata['envoy.filters.listener.original_dst'], { local: '10.244.2.8:9080' });
    const clusters = raw.configs.find((c: Json) => c['@type'].endsWith('ClustersConfigDump')).dynamic_active_clusters;
    const originate = clusters.find((c: Json) => c.cluster.name === 'connect_originate').cluster;
    assert.equal(originate.original_dst_lb_config.upstream_port_override, 15008);
  });

  it('sidecars outside ambient clusters neither originate nor accept HBONE', async () => {
    for (const name of ['sidecar-iptables', 'sidecar-nftables']) {
      const { text } = await envoy(example(name), 'default', 'sleep-');
      assert.ok(!text.includes('connect_originate'), name);
    }
  });

  it('no dump carries key material', async () => {
    for (const spec of EXAMPLES) {
      for (const p of spec.pods.filter((q) => q.mode === 'sidecar' || q.mode === 'waypoint')) {
        const { text } = await envoy(spec, p.namespace, p.name);
        assert.ok(!text.includes('PRIVATE KEY') && !text.includes('SecretsConfigDump'), `${spec.name}/${p.name}`);
      }
    }
  });
});
