import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvoyConfigDump } from '../../src/parse/envoy-config-dump.ts';
import { envoyDecide, type EnvoyConn, type EnvoyDecision } from '../../src/engine/envoy/decide.ts';
import type { EnvoyConfig } from '../../src/model/envoy.ts';
import { CORPUS_ABSENT, corpusDir } from '../support/corpus.ts';

const dir = corpusDir();
const skip = dir ? false : CORPUS_ABSENT;

function load(rel: string): EnvoyConfig {
  return parseEnvoyConfigDump(readFileSync(path.join(dir!, 'envoy-config-dump', rel), 'utf8'), rel);
}

const lines = (d: EnvoyDecision): string[] => d.steps.map((s) => `${s.kind}${s.inferred ? ' (inferred)' : ''}: ${s.summary}`);

describe('corpus: every Envoy config dump parses', { skip }, () => {
  const expected: { file: string; listeners: number; clusters: number; routes: number; edsClusters: number; endpoints: number; role?: string; version?: string }[] = [
    { file: 'sidecar-describe/http_config.json', listeners: 0, clusters: 1, routes: 1, edsClusters: 0, endpoints: 0 },
    { file: 'sidecar-endpoints/configdump.json', listeners: 0, clusters: 0, routes: 0, edsClusters: 37, endpoints: 36 },
    { file: 'sidecar-hbone-listeners/configdump.yaml', listeners: 29, clusters: 0, routes: 0, edsClusters: 0, endpoints: 0 },
    { file: 'waypoint-hbone-compare/configdump.json', listeners: 3, clusters: 1, routes: 1, edsClusters: 0, endpoints: 0 },
    { file: 'waypoint-proxyconfig/config_dump.json', listeners: 2, clusters: 3, routes: 1, edsClusters: 2, endpoints: 2, role: 'waypoint', version: '1.21.0-1226' },
  ];
  for (const e of expected) {
    it(e.file, () => {
      const cfg = load(e.file);
      const endpoints = [...cfg.endpoints.values()].reduce((n, eps) => n + eps.length, 0);
      assert.deepEqual(
        { listeners: cfg.listeners.length, clusters: cfg.clusters.size, routes: cfg.routeConfigs.size, edsClusters: cfg.endpoints.size, endpoints, role: cfg.role, version: cfg.istioVersion },
        { listeners: e.listeners, clusters: e.clusters, routes: e.routes, edsClusters: e.edsClusters, endpoints: e.endpoints, role: e.role, version: e.version },
      );
    });
  }

  it('no secret material is kept from waypoint-proxyconfig', () => {
    const cfg = load('waypoint-proxyconfig/config_dump.json');
    assert.doesNotMatch(JSON.stringify({ l: cfg.listeners, c: [...cfg.clusters], e: [...cfg.endpoints] }), /inline_bytes|BEGIN CERTIFICATE/);
  });
});

describe('corpus: decisions on the real dumps', { skip }, () => {
  const cases: { name: string; file: string; conn: EnvoyConn; steps: string[]; next: EnvoyDecision['next'] }[] = [
    {
      name: 'sidecar: a VIP:port with its own listener, handed over by virtualOutbound',
      file: 'sidecar-hbone-listeners/configdump.yaml',
      conn: { listenerPort: 15001, originalDst: { ip: '10.96.0.1', port: 443 }, srcIp: '10.244.0.5', transportProtocol: 'tls' },
      steps: [
        "listener: accepted by listener virtualOutbound (Istio's outbound capture listener)",
        'listener: use_original_dst hands 10.96.0.1:443 to listener 10.96.0.1_443',
        'filter-chain: filter chain (unnamed) of 10.96.0.1_443 (by filter_chain_match)',
      ],
      next: { kind: 'unresolved', reason: 'cluster outbound|443||kubernetes.default.svc.cluster.local cannot be checked: no ClustersConfigDump in sidecar-hbone-listeners/configdump.yaml', cluster: 'outbound|443||kubernetes.default.svc.cluster.local' },
    },
    {
      name: 'sidecar: HBONE to connect_terminate ends at the app through main_internal',
      file: 'sidecar-hbone-listeners/configdump.yaml',
      conn: { listenerPort: 15008, listenerIp: '10.244.0.9', originalDst: { ip: '10.244.0.9', port: 15008 }, srcIp: '10.244.0.5', transportProtocol: 'tls', applicationProtocols: ['h2'], connectAuthority: '10.244.0.9:80' },
      steps: [
        'listener: accepted by listener connect_terminate (HBONE termination)',
        'filter-chain: filter chain default of connect_terminate (by filter_chain_match)',
        'route: CONNECT 10.244.0.9:80 → route config default, virtual host default, route (unnamed)',
        'cluster (inferred): cluster main_internal (not in the dump; Istio builds it as a STATIC cluster whose one endpoint is the internal listener of that name)',
        'internal-listener: enters internal listener main_internal (internal listener behind HBONE termination), local address 10.244.0.9:80 from the CONNECT authority',
        'filter-chain: filter chain 0.0.0.0_80 of main_internal (by filter_chain_match)',
        'route: 10.244.0.9:80/ → route config inbound|80||, virtual host inbound|http|8000, route default',
        "cluster (inferred): cluster inbound|80||: the app in this pod (not in the dump; Istio's delivers to the app on port 80)",
      ],
      next: { kind: 'local-app', ip: '10.244.0.9', port: 80, cluster: 'inbound|80||' },
    },
    {
      name: 'waypoint (compare): CONNECT for a VIP it serves reaches its inbound-vip route',
      file: 'waypoint-hbone-compare/configdump.json',
      conn: { listenerPort: 15008, originalDst: { ip: '10.244.1.3', port: 15008 }, srcIp: '10.244.0.5', transportProtocol: 'tls', applicationProtocols: ['h2'], connectAuthority: '10.96.1.201:9080', host: 'details:9080', path: '/details/0' },
      steps: [
        'listener: accepted by listener connect_terminate (HBONE termination)',
        'filter-chain: filter chain default of connect_terminate (by filter_chain_match)',
        'route: CONNECT 10.96.1.201:9080 → route config default, virtual host default, route (unnamed)',
        'cluster (inferred): cluster main_internal (not in the dump; Istio builds it as a STATIC cluster whose one endpoint is the internal listener of that name)',
        'internal-listener: enters internal listener main_internal (internal listener behind HBONE termination), local address 10.96.1.201:9080 from the CONNECT authority',
        'filter-chain: filter chain inbound-vip|9080||details.default.svc.cluster.local-http of main_internal (by filter_chain_matcher)',
        'route: details:9080/details/0 → route config inbound-vip|9080|http|details.default.svc.cluster.local, virtual host inbound|http|9080, route default',
      ],
      next: { kind: 'unresolved', reason: 'cluster inbound-vip|9080|http|details.default.svc.cluster.local is not in waypoint-hbone-compare/configdump.json', cluster: 'inbound-vip|9080|http|details.default.svc.cluster.local' },
    },
    {
      name: 'waypoint (proxyconfig): VIP 10.104.171.68:8100 ends at an inbound-vip endpoint that follows connect_originate',
      file: 'waypoint-proxyconfig/config_dump.json',
      conn: { listenerPort: 0, internalListener: 'main_internal', originalDst: { ip: '10.104.171.68', port: 8100 }, srcIp: '10.244.0.5', applicationProtocols: ['http/1.1'], host: 'httpbin:8100' },
      steps: [
        'internal-listener: enters internal listener main_internal (internal listener behind HBONE termination)',
        'filter-chain: filter chain inbound-vip|8100||httpbin.default.svc.cluster.local-http of main_internal (by filter_chain_matcher)',
        'route: httpbin:8100/ → route config inbound-vip|8100|http|httpbin.default.svc.cluster.local, virtual host inbound|http|8100, route default',
        'cluster (inferred): cluster inbound-vip|8100|http|httpbin.default.svc.cluster.local: waypoint service VIP (not in the dump; its EDS assignment is)',
        'endpoint: endpoint internal connect_originate (192.168.195.248:800) HEALTHY of inbound-vip|8100|http|httpbin.default.svc.cluster.local',
      ],
      next: { kind: 'unresolved', reason: 'internal listener connect_originate is not in waypoint-proxyconfig/config_dump.json' },
    },
    {
      name: 'waypoint (proxyconfig): a workload address, no ALPN → direct-tcp by on_no_match',
      file: 'waypoint-proxyconfig/config_dump.json',
      conn: { listenerPort: 0, internalListener: 'main_internal', originalDst: { ip: '192.168.195.248', port: 800 }, srcIp: '10.244.0.5' },
      steps: [
        'internal-listener: enters internal listener main_internal (internal listener behind HBONE termination)',
        'filter-chain: filter chain direct-tcp of main_internal (by filter_chain_matcher)',
      ],
      next: { kind: 'unresolved', reason: 'cluster encap is not in waypoint-proxyconfig/config_dump.json', cluster: 'encap' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = envoyDecide(load(c.file), c.conn);
      assert.deepEqual(lines(d), c.steps);
      assert.deepEqual(d.next, c.next);
    });
  }
});
