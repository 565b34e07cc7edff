import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/model/evidence.ts';
import type { ZtunnelState } from '../../../src/model/ztunnel.ts';
import { parseZtunnelConfigDump } from '../../../src/parse/ztunnel-config-dump.ts';

const F = 'pods/istio-system/ztunnel-x/ztunnel-config-dump.json';
const parse = (v: unknown) => parseZtunnelConfigDump(JSON.stringify(v), F);

const httpbin19 = {
  workloadIps: ['10.244.2.7'],
  waypoint: { destination: '/10.96.65.117', port: 15008 },
  protocol: 'HBONE',
  uid: 'Kubernetes//Pod/default/httpbin-1',
  name: 'httpbin-1',
  namespace: 'default',
  serviceAccount: 'httpbin',
  node: 'node-b',
  status: 'Healthy',
};
const svc19 = {
  name: 'httpbin',
  namespace: 'default',
  hostname: 'httpbin.default.svc.cluster.local',
  vips: ['/10.96.120.7'],
  ports: { '8000': 80 },
  endpoints: { 'Kubernetes//Pod/default/httpbin-1:/10.244.2.7': { workloadUid: 'Kubernetes//Pod/default/httpbin-1', service: 'default/httpbin.default.svc.cluster.local', address: '/10.244.2.7', port: { '8000': 80 } } },
};

const wl = (pointer: string, waypointPort = 15008, waypointKey = 'waypoint') => ({
  uid: 'Kubernetes//Pod/default/httpbin-1',
  name: 'httpbin-1',
  namespace: 'default',
  serviceAccount: 'httpbin',
  ips: ['10.244.2.7'],
  node: 'node-b',
  protocol: 'HBONE' as const,
  waypoint: { address: '10.96.65.117', port: waypointPort, network: '', evidence: { file: F, pointer: `${pointer}/${waypointKey}`, text: `workload default/httpbin-1 waypoint /10.96.65.117:${waypointPort}` } },
  status: 'Healthy',
  evidence: { file: F, pointer, text: `workload default/httpbin-1 10.244.2.7 HBONE waypoint 10.96.65.117:${waypointPort}` },
});
const svc = (pointer: string) => ({
  name: 'httpbin',
  namespace: 'default',
  hostname: 'httpbin.default.svc.cluster.local',
  vips: ['10.96.120.7'],
  networkVips: [{ network: '', ip: '10.96.120.7' }],
  ports: { '8000': 80 },
  endpoints: [
    {
      workload: 'Kubernetes//Pod/default/httpbin-1',
      address: '10.244.2.7',
      ports: { '8000': 80 },
      evidence: { file: F, pointer: `${pointer}/endpoints/Kubernetes~1~1Pod~1default~1httpbin-1:~110.244.2.7`, text: 'endpoint Kubernetes//Pod/default/httpbin-1 10.244.2.7 ports 8000→80' },
    },
  ],
  evidence: { file: F, pointer, text: 'service default/httpbin 10.96.120.7 ports 8000→80' },
});

const cases: { name: string; dump: unknown; want: ZtunnelState }[] = [
  {
    name: '1.18 legacy: workloads keyed by IP, vips "VIP:port"',
    dump: {
      workloads: {
        '10.244.2.7': { workloadIp: '10.244.2.7', waypointAddresses: ['10.244.3.3'], gatewayAddress: null, protocol: 'HBONE', name: 'httpbin-1', namespace: 'default', serviceAccount: 'httpbin', node: 'node-b', nativeHbone: false, status: 'Healthy' },
      },
      workload_to_vip: { '10.244.2.7': [['10.96.120.7:8000', 80]] },
      vips: { '10.96.120.7:8000': [['10.244.2.7', 80]] },
      policies: {},
      proxy_mode: 'Shared',
      local_node: 'node-a',
      config: { local_ip: '10.244.1.3' },
    },
    want: {
      file: F,
      schema: 'legacy-1.18',
      proxyMode: 'Shared',
      localNode: 'node-a',
      localIp: '10.244.1.3',
      workloads: [
        {
          name: 'httpbin-1',
          namespace: 'default',
          ips: ['10.244.2.7'],
          protocol: 'HBONE',
          serviceAccount: 'httpbin',
          node: 'node-b',
          waypoint: { address: '10.244.3.3', port: 15008, evidence: { file: F, pointer: '/workloads/10.244.2.7/waypointAddresses/0', text: 'workload default/httpbin-1 waypoint 10.244.3.3:15008' } },
          waypoints: [{ address: '10.244.3.3', port: 15008, evidence: { file: F, pointer: '/workloads/10.244.2.7/waypointAddresses/0', text: 'workload default/httpbin-1 waypoint 10.244.3.3:15008' } }],
          nativeTunnel: false,
          status: 'Healthy',
          evidence: { file: F, pointer: '/workloads/10.244.2.7', text: 'workload default/httpbin-1 10.244.2.7 HBONE waypoint 10.244.3.3:15008' },
        },
      ],
      services: [
        {
          name: '',
          namespace: '',
          hostname: '',
          vips: ['10.96.120.7'],
          networkVips: [{ network: '', ip: '10.96.120.7' }],
          ports: { '8000': 80 },
          endpoints: [{ workload: '10.244.2.7', address: '10.244.2.7', ports: { '8000': 80 }, evidence: { file: F, pointer: '/vips/10.96.120.7:8000/0', text: 'endpoint 10.244.2.7:80 for port 8000' } }],
          evidence: { file: F, pointer: '/vips/10.96.120.7:8000', text: 'VIP 10.96.120.7 ports 8000→80 (1 endpoint)' },
        },
      ],
    },
  },
  {
    name: '1.19–1.21 by_addr/by_uid/by_vip: one workload listed twice is read once',
    dump: { by_addr: { '/10.244.2.7': httpbin19 }, by_uid: { 'Kubernetes//Pod/default/httpbin-1': httpbin19 }, workload_to_services: {}, by_vip: { '/10.96.120.7': svc19 } },
    want: { file: F, schema: 'by-addr-1.19', workloads: [wl('/by_addr/~110.244.2.7', 15008, 'waypoint')], services: [svc('/by_vip/~110.96.120.7')] },
  },
  {
    name: '1.22 maps keyed network/IP, waypoint hboneMtlsPort',
    dump: { workloads: { '/10.244.2.7': { ...httpbin19, waypoint: { destination: '/10.96.65.117', hboneMtlsPort: 15008, hboneSingleTlsPort: 15003 } } }, services: { '/10.96.120.7': svc19 }, stagedServices: {}, policies: {} },
    want: { file: F, schema: 'maps-1.22', workloads: [wl('/workloads/~110.244.2.7')], services: [svc('/services/~110.96.120.7')] },
  },
  {
    name: '1.23+ arrays (master adds policies and workloadState, ignored)',
    dump: { workloads: [{ ...httpbin19, waypoint: { destination: '/10.96.65.117', hboneMtlsPort: 15008 } }], services: [svc19], policies: [{ name: 'p' }], stagedServices: {}, workloadState: { u: { state: 'Up' } } },
    want: { file: F, schema: 'arrays-1.23', workloads: [wl('/workloads/0')], services: [svc('/services/0')] },
  },
];

for (const c of cases) {
  test(`parse ${c.name}`, () => {
    assert.deepEqual(parse(c.dump), c.want);
  });
}

test('parse: a hostname waypoint reference keeps namespace and hostname', () => {
  const s = parse({ workloads: [{ ...httpbin19, waypoint: { destination: 'default/waypoint.default.svc.cluster.local', hboneMtlsPort: 15008 } }], services: [] });
  assert.deepEqual(s.workloads[0]!.waypoint, {
    address: 'waypoint.default.svc.cluster.local',
    port: 15008,
    hostname: { namespace: 'default', hostname: 'waypoint.default.svc.cluster.local' },
    evidence: { file: F, pointer: '/workloads/0/waypoint', text: 'workload default/httpbin-1 waypoint default/waypoint.default.svc.cluster.local:15008' },
  });
});

test('parse: a hostname-only workload (no IPs) is accepted', () => {
  const s = parse({ workloads: [{ workloadIps: [], hostname: 'db.example.com', name: 'db', namespace: 'default' }], services: [] });
  assert.deepEqual([s.workloads[0]!.ips, s.workloads[0]!.hostname], [[], 'db.example.com']);
});

const bad: { name: string; text: string; message: RegExp }[] = [
  { name: 'a workload without any IP', text: JSON.stringify({ workloads: [{ name: 'x', namespace: 'y' }], services: [] }), message: /#\/workloads\/0: expected a workload with at least one entry in "workloadIps"/ },
  { name: 'a 1.18 workload whose key and workloadIp are no IP', text: JSON.stringify({ workloads: { foo: { workloadIp: 'bar' } }, vips: {} }), message: /#\/workloads\/foo\/workloadIp: expected the workload's "workloadIp"/ },
  { name: 'a bad protocol', text: JSON.stringify({ workloads: [{ workloadIps: ['1.2.3.4'], protocol: 'UDP' }] }), message: /#\/workloads\/0\/protocol: expected protocol "HBONE" or "TCP", found string "UDP"/ },
  { name: 'a bad VIP', text: JSON.stringify({ services: [{ name: 's', vips: ['nope'] }] }), message: /#\/services\/0\/vips\/0: expected a network address "network\/IP", found "nope"/ },
  { name: 'a bad vips key (1.18)', text: JSON.stringify({ workloads: {}, vips: { 'x:y': [] } }), message: /#\/vips\/x:y: expected a "VIP:port" key/ },
  { name: 'an endpoint without workloadUid', text: JSON.stringify({ services: [{ name: 's', vips: [], endpoints: { a: { port: {} } } }] }), message: /#\/services\/0\/endpoints\/a\/workloadUid: expected the endpoint's "workloadUid"/ },
  { name: 'a connections dump', text: JSON.stringify([{ info: {}, state: 'Up' }]), message: /found a JSON array \(hint: a list of \{info, state, connections\} is a connections dump/ },
  { name: 'an unknown schema', text: JSON.stringify({ foo: 1, bar: 2 }), message: /unknown ztunnel config_dump schema: top-level keys "foo", "bar" \(hint: supported schemas: 1\.18/ },
  { name: 'invalid JSON', text: '{"workloads": [', message: /invalid JSON/ },
];

for (const b of bad) {
  test(`parse rejects ${b.name} with an InputError`, () => {
    assert.throws(() => parseZtunnelConfigDump(b.text, F), (e: unknown) => e instanceof InputError && b.message.test(e.message));
  });
}
