import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvoyConfigDump } from '../../../src/parse/envoy-config-dump.ts';
import { envoyDecide, type EnvoyConn, type EnvoyNext } from '../../../src/engine/envoy/decide.ts';
import {
  assignment, connectAuthorityFilter, connectRoute, dump, eds, httpChain, internalEp, internalUpstream, istioTlsMatches, listener,
  originalDstFilter, routeConfig, setDstFilter, sockEp, tcpChain, upstreamTls,
} from './dump.ts';

const passthrough = { name: 'PassthroughCluster', type: 'ORIGINAL_DST' };
const blackhole = { name: 'BlackHoleCluster', type: 'STATIC' };
const virtualOutbound = listener('virtualOutbound', '0.0.0.0', 15001, [tcpChain('BlackHoleCluster', { destination_port: 15001 }, 'virtualOutbound-blackhole'), tcpChain('PassthroughCluster', undefined, 'virtualOutbound-catchall-tcp')], { use_original_dst: true });

/** A sidecar: VIP listener (tcp), wildcard HTTP listener, inbound capture, HBONE via connect_originate. */
const sidecar = parseEnvoyConfigDump(
  dump({
    listeners: [
      virtualOutbound,
      listener('10.96.0.10_5432', '10.96.0.10', 5432, [tcpChain('outbound|5432||db.default.svc.cluster.local')], { bind_to_port: false }),
      listener('0.0.0.0_9080', '0.0.0.0', 9080, [httpChain({ rds: '9080' }, { transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c'] })], { bind_to_port: false, default_filter_chain: tcpChain('PassthroughCluster', undefined, 'PassthroughFilterChain') }),
      listener('10.96.0.20_80', '10.96.0.20', 80, [tcpChain('outbound|80||httpbin.ambient.svc.cluster.local')], { bind_to_port: false }),
      listener('virtualInbound', '0.0.0.0', 15006, [tcpChain('BlackHoleCluster', { destination_port: 15006 }), tcpChain('inbound|8080||', { destination_port: 8080 }, '0.0.0.0_8080'), tcpChain('InboundPassthroughClusterIpv4', { prefix_ranges: [{ address_prefix: '0.0.0.0', prefix_len: 0 }] }, 'virtualInbound')], { listener_filters: [originalDstFilter] }),
      listener('connect_originate', undefined, 0, [tcpChain('connect_originate', undefined, undefined, '%DOWNSTREAM_LOCAL_ADDRESS%')], { use_original_dst: false, listener_filters: [setDstFilter] }),
    ],
    clusters: [
      passthrough,
      blackhole,
      { name: 'InboundPassthroughClusterIpv4', type: 'ORIGINAL_DST', upstream_bind_config: { source_address: { address: '127.0.0.6', port_value: 0 } } },
      { name: 'inbound|8080||', type: 'ORIGINAL_DST', upstream_bind_config: { source_address: { address: '127.0.0.6', port_value: 0 } } },
      eds('outbound|5432||db.default.svc.cluster.local', istioTlsMatches),
      eds('outbound|9080||reviews.default.svc.cluster.local', istioTlsMatches),
      eds('outbound|9080||ratings.default.svc.cluster.local'),
      eds('outbound|80||httpbin.ambient.svc.cluster.local', internalUpstream('tunnel')),
      { name: 'connect_originate', type: 'ORIGINAL_DST', original_dst_lb_config: { upstream_port_override: 15008 }, ...upstreamTls },
    ],
    routes: [
      routeConfig('9080', [
        { name: 'reviews.default.svc.cluster.local:9080', domains: ['reviews.default.svc.cluster.local', 'reviews', 'reviews:9080', '10.96.0.30'], routes: [
          { name: 'v-split', match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'outbound|9080||ratings.default.svc.cluster.local', weight: 20 }, { name: 'outbound|9080||reviews.default.svc.cluster.local', weight: 80 }] } } },
        ] },
        { name: 'allow_any', domains: ['*'], routes: [{ name: 'allow_any', match: { prefix: '/' }, route: { cluster: 'PassthroughCluster' } }] },
      ]),
    ],
    endpoints: [
      assignment('outbound|5432||db.default.svc.cluster.local', [
        sockEp('10.244.1.9', 5432, { health_status: 'UNHEALTHY', metadata: { filter_metadata: { 'envoy.transport_socket_match': { tlsMode: 'istio' } } } }),
        sockEp('10.244.1.7', 5432, { metadata: { filter_metadata: { 'envoy.transport_socket_match': { tlsMode: 'istio' } } } }),
        sockEp('10.244.1.8', 5432),
      ]),
      assignment('outbound|9080||reviews.default.svc.cluster.local', [sockEp('10.244.2.5', 9080, { metadata: { filter_metadata: { 'envoy.transport_socket_match': { tlsMode: 'istio' } } } })]),
      assignment('outbound|9080||ratings.default.svc.cluster.local', [sockEp('10.244.2.6', 9080)]),
      assignment('outbound|80||httpbin.ambient.svc.cluster.local', [internalEp('connect_originate', { tunnel: { destination: '10.244.3.4:80', address: '10.244.3.4:15008' } })]),
    ],
  }),
  'pods/default/sleep/envoy-config-dump.json',
);

/** A waypoint: HBONE termination into main_internal (unified matcher), then inbound-vip endpoints through connect_originate. */
const waypoint = parseEnvoyConfigDump(
  dump({
    nodeId: 'waypoint~10.244.5.5~waypoint-abc.default~default.svc.cluster.local',
    listeners: [
      listener('connect_terminate', '0.0.0.0', 15008, [{ ...httpChain({ inline: connectRoute('main_internal') }, undefined, 'default', [connectAuthorityFilter]), transport_socket: { name: 'tls' } }]),
      listener('main_internal', undefined, 0, [httpChain({ inline: routeConfig('inbound-vip|8000|http|httpbin.default.svc.cluster.local', [{ name: 'inbound|http|8000', domains: ['*'], routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster: 'inbound-vip|8000|http|httpbin.default.svc.cluster.local' } }] }]) }, undefined, 'inbound-vip|8000||httpbin-http')], {
        listener_filters: [originalDstFilter],
        filter_chain_matcher: {
          matcher_tree: {
            input: { name: 'ip', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.DestinationIPInput' } },
            custom_match: { name: 'ip', typed_config: { '@type': 'type.googleapis.com/xds.type.matcher.v3.IPMatcher', range_matchers: [{ ranges: [{ address_prefix: '10.96.7.7', prefix_len: 32 }], on_match: { matcher: { matcher_tree: { input: { name: 'port', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.DestinationPortInput' } }, exact_match_map: { map: { '8000': { action: { name: 'inbound-vip|8000||httpbin-http', typed_config: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'inbound-vip|8000||httpbin-http' } } } } } } } } }] } },
          },
        },
      }),
      listener('connect_originate', undefined, 0, [tcpChain('connect_originate', undefined, undefined, '%DOWNSTREAM_LOCAL_ADDRESS%')], { use_original_dst: false, listener_filters: [originalDstFilter] }),
    ],
    clusters: [
      { name: 'main_internal', type: 'STATIC', load_assignment: assignment('main_internal', [{ endpoint: { address: { envoy_internal_address: { server_listener_name: 'main_internal' } } } }]), ...internalUpstream('envoy.filters.listener.original_dst') },
      eds('inbound-vip|8000|http|httpbin.default.svc.cluster.local', internalUpstream('envoy.filters.listener.original_dst')),
      { name: 'connect_originate', type: 'ORIGINAL_DST', original_dst_lb_config: { upstream_port_override: 15008, metadata_key: { key: 'envoy.filters.listener.original_dst', path: [{ key: 'waypoint' }] } }, ...upstreamTls },
    ],
    endpoints: [
      assignment('inbound-vip|8000|http|httpbin.default.svc.cluster.local', [
        internalEp('connect_originate', { 'envoy.filters.listener.original_dst': { local: '10.244.6.1:80' } }),
        internalEp('connect_originate', { 'envoy.filters.listener.original_dst': { local: '10.244.6.2:80', waypoint: '10.244.9.9:15008' } }),
      ]),
    ],
  }),
  'pods/default/waypoint-abc/envoy-config-dump.json',
);

const F = 'pods/default/sleep/envoy-config-dump.json';
const out = (ip: string, port: number, extra: Partial<EnvoyConn> = {}): EnvoyConn => ({ listenerPort: 15001, originalDst: { ip, port }, srcIp: '10.244.0.5', ...extra });

interface Case {
  name: string;
  cfg: typeof sidecar;
  conn: EnvoyConn;
  steps: string[];
  next: EnvoyNext;
  alternatives?: EnvoyNext[];
}

const cases: Case[] = [
  {
    name: 'VIP listener by exact original destination → EDS, tls by transport_socket_matches, unhealthy skipped',
    cfg: sidecar,
    conn: out('10.96.0.10', 5432),
    steps: [
      "listener: accepted by listener virtualOutbound (Istio's outbound capture listener)",
      'listener: use_original_dst hands 10.96.0.10:5432 to listener 10.96.0.10_5432',
      'filter-chain: filter chain (unnamed) of 10.96.0.10_5432 (by filter_chain_match)',
      'cluster: cluster outbound|5432||db.default.svc.cluster.local (EDS, raw_buffer)',
      'endpoint: endpoint 10.244.1.7:5432 HEALTHY of outbound|5432||db.default.svc.cluster.local',
    ],
    next: { kind: 'upstream', ip: '10.244.1.7', port: 5432, tls: true, cluster: 'outbound|5432||db.default.svc.cluster.local' },
    alternatives: [{ kind: 'upstream', ip: '10.244.1.8', port: 5432, tls: false, cluster: 'outbound|5432||db.default.svc.cluster.local' }],
  },
  {
    name: 'wildcard listener, HTTP: virtual host by Host, heaviest weighted cluster',
    cfg: sidecar,
    conn: out('10.96.0.30', 9080, { applicationProtocols: ['http/1.1'], host: 'reviews:9080', path: '/reviews/1' }),
    steps: [
      "listener: accepted by listener virtualOutbound (Istio's outbound capture listener)",
      'listener: use_original_dst hands 10.96.0.30:9080 to listener 0.0.0.0_9080',
      'filter-chain: filter chain (unnamed) of 0.0.0.0_9080 (by filter_chain_match)',
      'route: reviews:9080/reviews/1 → route config 9080, virtual host reviews.default.svc.cluster.local:9080, route v-split',
      'cluster: cluster outbound|9080||reviews.default.svc.cluster.local (EDS, raw_buffer)',
      'endpoint: endpoint 10.244.2.5:9080 HEALTHY of outbound|9080||reviews.default.svc.cluster.local',
    ],
    next: { kind: 'upstream', ip: '10.244.2.5', port: 9080, tls: true, cluster: 'outbound|9080||reviews.default.svc.cluster.local' },
    alternatives: [{ kind: 'upstream', ip: '10.244.2.6', port: 9080, tls: false, cluster: 'outbound|9080||ratings.default.svc.cluster.local' }],
  },
  {
    name: 'unknown Host falls to the * virtual host → PassthroughCluster (ORIGINAL_DST)',
    cfg: sidecar,
    conn: out('10.1.1.1', 9080, { applicationProtocols: ['http/1.1'], host: 'example.com' }),
    steps: [
      "listener: accepted by listener virtualOutbound (Istio's outbound capture listener)",
      'listener: use_original_dst hands 10.1.1.1:9080 to listener 0.0.0.0_9080',
      'filter-chain: filter chain (unnamed) of 0.0.0.0_9080 (by filter_chain_match)',
      'route: example.com/ → route config 9080, virtual host allow_any, route allow_any',
      'cluster: cluster PassthroughCluster: original destination (ORIGINAL_DST, raw_buffer)',
    ],
    next: { kind: 'passthrough', ip: '10.1.1.1', port: 9080, cluster: 'PassthroughCluster' },
  },
  {
    name: 'TLS to the HTTP listener: no chain matches → default_filter_chain',
    cfg: sidecar,
    conn: out('10.1.1.1', 9080, { transportProtocol: 'tls', serverName: 'example.com' }),
    steps: [
      "listener: accepted by listener virtualOutbound (Istio's outbound capture listener)",
      'listener: use_original_dst hands 10.1.1.1:9080 to listener 0.0.0.0_9080',
      'filter-chain: default_filter_chain of 0.0.0.0_9080 (by default_filter_chain)',
      'cluster: cluster PassthroughCluster: original destination (ORIGINAL_DST, raw_buffer)',
    ],
    next: { kind: 'passthrough', ip: '10.1.1.1', port: 9080, cluster: 'PassthroughCluster' },
  },
  {
    name: 'no listener for the original destination: virtualOutbound keeps it (catch-all chain)',
    cfg: sidecar,
    conn: out('93.184.216.34', 443),
    steps: [
      "listener: accepted by listener virtualOutbound (Istio's outbound capture listener)",
      'filter-chain: filter chain virtualOutbound-catchall-tcp of virtualOutbound (by filter_chain_match)',
      'cluster: cluster PassthroughCluster: original destination (ORIGINAL_DST, raw_buffer)',
    ],
    next: { kind: 'passthrough', ip: '93.184.216.34', port: 443, cluster: 'PassthroughCluster' },
  },
  {
    name: 'a connection to 15001 itself: destination_port chain → BlackHoleCluster',
    cfg: sidecar,
    conn: out('10.244.0.5', 15001),
    steps: [
      "listener: accepted by listener virtualOutbound (Istio's outbound capture listener)",
      'filter-chain: filter chain virtualOutbound-blackhole of virtualOutbound (by filter_chain_match)',
      'cluster: cluster BlackHoleCluster: drops the connection (STATIC, raw_buffer)',
    ],
    next: { kind: 'blackhole', cluster: 'BlackHoleCluster' },
  },
  {
    name: 'inbound capture: original_dst listener filter, destination_port chain → inbound|8080|| → the app',
    cfg: sidecar,
    conn: { listenerPort: 15006, listenerIp: '10.244.0.5', originalDst: { ip: '10.244.0.5', port: 8080 }, srcIp: '10.244.2.5' },
    steps: [
      "listener: accepted by listener virtualInbound (Istio's inbound capture listener)",
      'filter-chain: filter chain 0.0.0.0_8080 of virtualInbound (by filter_chain_match)',
      'cluster: cluster inbound|8080||: the app in this pod (ORIGINAL_DST, raw_buffer)',
    ],
    next: { kind: 'local-app', ip: '10.244.0.5', port: 8080, cluster: 'inbound|8080||', srcIp: '127.0.0.6' },
  },
  {
    name: 'inbound capture, no port chain: the /0 prefix chain → InboundPassthroughCluster',
    cfg: sidecar,
    conn: { listenerPort: 15006, originalDst: { ip: '10.244.0.5', port: 7070 }, srcIp: '10.244.2.5' },
    steps: [
      "listener: accepted by listener virtualInbound (Istio's inbound capture listener)",
      'filter-chain: filter chain virtualInbound of virtualInbound (by filter_chain_match)',
      'cluster: cluster InboundPassthroughClusterIpv4: original destination in this pod (ORIGINAL_DST, raw_buffer)',
    ],
    next: { kind: 'passthrough', ip: '10.244.0.5', port: 7070, cluster: 'InboundPassthroughClusterIpv4' },
  },
  {
    name: 'sidecar to ambient: internal endpoint → connect_originate (set_dst_address) → HBONE to :15008',
    cfg: sidecar,
    conn: out('10.96.0.20', 80),
    steps: [
      "listener: accepted by listener virtualOutbound (Istio's outbound capture listener)",
      'listener: use_original_dst hands 10.96.0.20:80 to listener 10.96.0.20_80',
      'filter-chain: filter chain (unnamed) of 10.96.0.20_80 (by filter_chain_match)',
      'cluster: cluster outbound|80||httpbin.ambient.svc.cluster.local (EDS, internal_upstream)',
      'endpoint: endpoint internal connect_originate (10.244.3.4:80) HEALTHY of outbound|80||httpbin.ambient.svc.cluster.local',
      'internal-listener: enters internal listener connect_originate (HBONE origination), local address 10.244.3.4:80 from tunnel.destination',
      'filter-chain: filter chain (unnamed) of connect_originate (by filter_chain_match)',
      'cluster: cluster connect_originate (ORIGINAL_DST, tls)',
    ],
    next: { kind: 'hbone', ip: '10.244.3.4', port: 15008, authority: '10.244.3.4:80', cluster: 'connect_originate' },
  },
  {
    name: 'no listener on the port',
    cfg: sidecar,
    conn: { listenerPort: 15090, originalDst: { ip: '10.244.0.5', port: 15090 }, srcIp: '10.244.0.1' },
    steps: [],
    next: { kind: 'no-match', reason: `no listener of ${F} is bound to port 15090` },
  },
  {
    name: 'waypoint: CONNECT terminated, authority restored, VIP matcher → inbound-vip endpoints → HBONE',
    cfg: waypoint,
    conn: { listenerPort: 15008, listenerIp: '10.244.5.5', originalDst: { ip: '10.244.5.5', port: 15008 }, srcIp: '10.244.0.5', transportProtocol: 'tls', applicationProtocols: ['h2'], connectAuthority: '10.96.7.7:8000', host: 'httpbin:8000' },
    steps: [
      'listener: accepted by listener connect_terminate (HBONE termination)',
      'filter-chain: filter chain default of connect_terminate (by filter_chain_match)',
      'route: CONNECT 10.96.7.7:8000 → route config default, virtual host default, route (unnamed)',
      'cluster: cluster main_internal (STATIC, internal_upstream)',
      'endpoint: endpoint internal main_internal UNKNOWN of main_internal',
      'internal-listener: enters internal listener main_internal (internal listener behind HBONE termination), local address 10.96.7.7:8000 from the CONNECT authority',
      'filter-chain: filter chain inbound-vip|8000||httpbin-http of main_internal (by filter_chain_matcher)',
      'route: httpbin:8000/ → route config inbound-vip|8000|http|httpbin.default.svc.cluster.local, virtual host inbound|http|8000, route default',
      'cluster: cluster inbound-vip|8000|http|httpbin.default.svc.cluster.local: waypoint service VIP (EDS, internal_upstream)',
      'endpoint: endpoint internal connect_originate (10.244.6.1:80) HEALTHY of inbound-vip|8000|http|httpbin.default.svc.cluster.local',
      'internal-listener: enters internal listener connect_originate (HBONE origination), local address 10.244.6.1:80 from original_dst metadata local',
      'filter-chain: filter chain (unnamed) of connect_originate (by filter_chain_match)',
      'cluster: cluster connect_originate (ORIGINAL_DST, tls)',
    ],
    next: { kind: 'hbone', ip: '10.244.6.1', port: 15008, authority: '10.244.6.1:80', cluster: 'connect_originate' },
    alternatives: [{ kind: 'hbone', ip: '10.244.9.9', port: 15008, authority: '10.244.6.2:80', cluster: 'connect_originate' }],
  },
  {
    name: 'waypoint: a VIP the matcher does not know → no filter chain, connection closed',
    cfg: waypoint,
    conn: { listenerPort: 15008, originalDst: { ip: '10.244.5.5', port: 15008 }, srcIp: '10.244.0.5', transportProtocol: 'tls', connectAuthority: '10.96.8.8:8000' },
    steps: [
      'listener: accepted by listener connect_terminate (HBONE termination)',
      'filter-chain: filter chain default of connect_terminate (by filter_chain_match)',
      'route: CONNECT 10.96.8.8:8000 → route config default, virtual host default, route (unnamed)',
      'cluster: cluster main_internal (STATIC, internal_upstream)',
      'endpoint: endpoint internal main_internal UNKNOWN of main_internal',
      'internal-listener: enters internal listener main_internal (internal listener behind HBONE termination), local address 10.96.8.8:8000 from the CONNECT authority',
    ],
    next: { kind: 'no-match', reason: 'no filter chain of main_internal matches 10.96.8.8:8000 raw_buffer and it has no default_filter_chain: Envoy closes the connection' },
  },
  {
    name: 'a plain (non-CONNECT) request to connect_terminate matches no route',
    cfg: waypoint,
    conn: { listenerPort: 15008, originalDst: { ip: '10.244.5.5', port: 15008 }, srcIp: '10.244.0.5', transportProtocol: 'tls', host: 'x' },
    steps: ['listener: accepted by listener connect_terminate (HBONE termination)', 'filter-chain: filter chain default of connect_terminate (by filter_chain_match)'],
    next: { kind: 'no-match', reason: 'no route of virtual host default (route config default) matches x/: Envoy answers 404' },
  },
];

describe('envoyDecide: pick', () => {
  it('takes the branch the caller picks and keeps the others as alternatives', () => {
    const seen: [string, string[]][] = [];
    const d = envoyDecide(sidecar, out('10.96.0.30', 9080, { applicationProtocols: ['http/1.1'], host: 'reviews', pick: (id, labels) => (seen.push([id, labels]), 1) }));
    assert.deepEqual(seen, [['weighted:outbound|9080||reviews.default.svc.cluster.local,outbound|9080||ratings.default.svc.cluster.local', ['outbound|9080||reviews.default.svc.cluster.local (weight 80)', 'outbound|9080||ratings.default.svc.cluster.local (weight 20)']]]);
    assert.deepEqual(d.next, { kind: 'upstream', ip: '10.244.2.6', port: 9080, tls: false, cluster: 'outbound|9080||ratings.default.svc.cluster.local' });
    assert.deepEqual(d.alternatives, [{ kind: 'upstream', ip: '10.244.2.5', port: 9080, tls: true, cluster: 'outbound|9080||reviews.default.svc.cluster.local' }]);
  });
});

describe('envoyDecide', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = envoyDecide(c.cfg, c.conn);
      assert.deepEqual(d.steps.map((s) => `${s.kind}: ${s.summary}`), c.steps);
      assert.deepEqual(d.next, c.next);
      assert.deepEqual(d.alternatives, c.alternatives ?? []);
      for (const s of d.steps) assert.ok(s.evidence.pointer?.startsWith('/configs/'), `${s.summary} carries a JSON pointer`);
    });
  }
});
