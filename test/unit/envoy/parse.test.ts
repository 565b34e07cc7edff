import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvoyConfigDump } from '../../../src/parse/envoy-config-dump.ts';
import { envoyDecide } from '../../../src/engine/envoy/decide.ts';
import { InputError } from '../../../src/model/evidence.ts';
import { assignment, dump, eds, internalEp, listener, sockEp, tcpChain } from './dump.ts';

const FILE = 'pods/ns/p/envoy-config-dump.json';

describe('parseEnvoyConfigDump: bad input names file and pointer', () => {
  const L = 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump';
  const cases: { name: string; text: string; message: RegExp; pointer?: string }[] = [
    { name: 'no configs', text: '{}', message: /expected an array of config dumps/, pointer: '/configs' },
    { name: 'not JSON', text: '{"configs": [', message: /invalid JSON/ },
    { name: 'configs not an array', text: '{"configs": {}}', message: /expected an array of config dumps/, pointer: '/configs' },
    { name: 'section without @type', text: '{"configs": [{}]}', message: /expected a string/, pointer: '/configs/0/@type' },
    { name: 'port as an object', text: JSON.stringify({ configs: [{ '@type': L, static_listeners: [{ listener: { address: { socket_address: { address: '0.0.0.0', port_value: {} } } } }] }] }), message: /expected a number/, pointer: '/configs/0/static_listeners/0/listener/address/socket_address/port_value' },
    { name: 'filter chain not an object', text: JSON.stringify({ configs: [{ '@type': L, dynamic_listeners: [{ name: 'x', active_state: { listener: { name: 'x', filter_chains: [3] } } }] }] }), message: /expected a filter chain object/, pointer: '/configs/0/dynamic_listeners/0/active_state/listener/filter_chains/0' },
    { name: 'cluster without name', text: dump({ clusters: [{ type: 'EDS' }] }), message: /expected a string/, pointer: '/configs/0/dynamic_active_clusters/0/cluster/name' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(() => parseEnvoyConfigDump(c.text, FILE), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.file, FILE);
        assert.match(e.message, c.message);
        if (c.pointer !== undefined) assert.equal(e.where.pointer, c.pointer);
        return true;
      });
    });
  }
});

describe('parseEnvoyConfigDump: model', () => {
  const cfg = parseEnvoyConfigDump(
    dump({
      nodeId: 'sidecar~10.244.0.5~sleep-1.default~default.svc.cluster.local',
      listeners: [
        listener('virtualOutbound', '0.0.0.0', 15001, [tcpChain('PassthroughCluster')], { use_original_dst: true }),
        listener('mongo', '0.0.0.0', 27017, [{ filters: [{ name: 'envoy.filters.network.mongo_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.mongo_proxy.v3.MongoProxy' } }] }], { bind_to_port: false }),
        listener('connect_originate', undefined, 0, [tcpChain('connect_originate', undefined, undefined, '%DOWNSTREAM_LOCAL_ADDRESS%')]),
      ],
      clusters: [eds('outbound|80||a.ns.svc.cluster.local'), { name: 'dyn', cluster_type: { name: 'envoy.clusters.dynamic_forward_proxy' } }],
      endpoints: [assignment('outbound|80||a.ns.svc.cluster.local', [sockEp('10.0.0.1', 80, { load_balancing_weight: 3 }), internalEp('connect_originate', { tunnel: { destination: '10.0.0.2:80', address: '10.0.0.2:15008' } })])],
    }) .replace('"configs":[', '"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.SecretsConfigDump","dynamic_active_secrets":[{"name":"default","secret":{"tls_certificate":{"private_key":{"inline_bytes":"c2VjcmV0"}}}}]},'),
    FILE,
  );

  it('node id, role and ISTIO_VERSION from the bootstrap', () => {
    assert.deepEqual([cfg.nodeId, cfg.role, cfg.istioVersion], ['sidecar~10.244.0.5~sleep-1.default~default.svc.cluster.local', 'sidecar', '1.24.0']);
  });

  it('listeners: address, internal, flags, terminal, evidence', () => {
    const [vo, mongo, co] = cfg.listeners;
    assert.deepEqual([vo.address, vo.useOriginalDst, vo.bindToPort, vo.internal], [{ ip: '0.0.0.0', port: 15001 }, true, true, undefined]);
    assert.deepEqual(vo.evidence, { file: FILE, pointer: '/configs/2/dynamic_listeners/0/active_state/listener', text: 'listener virtualOutbound 0.0.0.0:15001 use_original_dst' });
    assert.deepEqual(vo.filterChains[0].filters, ['istio.stats']);
    assert.equal(mongo.filterChains[0].terminal?.kind, 'other');
    assert.deepEqual([co.internal, co.address], [true, undefined]);
    const t = co.filterChains[0].terminal;
    assert.ok(t?.kind === 'tcp_proxy');
    assert.deepEqual([t.cluster, t.tunnelingHostname], ['connect_originate', '%DOWNSTREAM_LOCAL_ADDRESS%']);
  });

  it('clusters: cluster_type extension kept as OTHER and reported', () => {
    assert.deepEqual([cfg.clusters.get('dyn')?.type, cfg.clusters.get('dyn')?.typeName], ['OTHER', 'envoy.clusters.dynamic_forward_proxy']);
    assert.deepEqual(cfg.findings?.map((f) => f.evidence[0].pointer), [
      '/configs/2/dynamic_listeners/1/active_state/listener/filter_chains/0/filters/0',
      '/configs/3/dynamic_active_clusters/1/cluster/cluster_type',
    ]);
  });

  it('endpoints: weights, internal address and tunnel metadata', () => {
    const [a, b] = cfg.endpoints.get('outbound|80||a.ns.svc.cluster.local')!;
    assert.deepEqual([a.address, a.weight, a.health], [{ ip: '10.0.0.1', port: 80 }, 3, 'HEALTHY']);
    assert.deepEqual([b.internal, b.tunnelDestination, b.tunnelAddress], [{ listener: 'connect_originate', endpointId: 'x' }, '10.0.0.2:80', '10.0.0.2:15008']);
  });

  it('secrets never reach the model', () => {
    assert.doesNotMatch(JSON.stringify({ ...cfg, clusters: [...cfg.clusters], endpoints: [...cfg.endpoints] }), /c2VjcmV0|private_key/);
  });

  it('an unmodelled terminal filter is unresolved, not dropped', () => {
    const d = envoyDecide(cfg, { listenerPort: 15001, originalDst: { ip: '10.9.9.9', port: 27017 }, srcIp: '10.244.0.5' });
    assert.deepEqual(d.next, { kind: 'unresolved', reason: 'network filter envoy.filters.network.mongo_proxy ends the chain; its forwarding is not modelled' });
  });

  it('EDS cluster without an EndpointsConfigDump is unresolved; with an empty one, no endpoints', () => {
    const noEds = parseEnvoyConfigDump(dump({ listeners: [listener('l', '0.0.0.0', 80, [tcpChain('c')])], clusters: [eds('c')] }), FILE);
    const conn = { listenerPort: 80, originalDst: { ip: '10.0.0.1', port: 80 }, srcIp: '10.0.0.2' };
    assert.deepEqual(envoyDecide(noEds, conn).next, { kind: 'unresolved', reason: `cluster c is EDS and ${FILE} has no EndpointsConfigDump (capture with ?include_eds)`, cluster: 'c' });
    const emptyEds = parseEnvoyConfigDump(dump({ listeners: [listener('l', '0.0.0.0', 80, [tcpChain('c')])], clusters: [eds('c')], endpoints: [assignment('c', [sockEp('10.0.0.3', 80, { health_status: 'UNHEALTHY' })])] }), FILE);
    assert.deepEqual(envoyDecide(emptyEds, conn).next, { kind: 'no-match', reason: 'cluster c has no healthy endpoint (1 endpoint(s), none HEALTHY or UNKNOWN)' });
    const missing = parseEnvoyConfigDump(dump({ listeners: [listener('l', '0.0.0.0', 80, [tcpChain('gone')])], clusters: [] }), FILE);
    assert.deepEqual(envoyDecide(missing, conn).next, { kind: 'unresolved', reason: `cluster gone is not in ${FILE}`, cluster: 'gone' });
  });
});
