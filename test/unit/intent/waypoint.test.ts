import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { K8s } from '../../../src/model/index.ts';
import { intendedWaypoint, type WaypointTarget } from '../../../src/engine/intent/waypoint.ts';

/** istiod's waypoint binding, one row per rule: the object's own label, its namespace's, opt-outs, and what makes a Gateway unusable. */
const ev = (what: string) => ({ file: 'k8s/x.json', pointer: '/items/0', text: what });

function pod(labels: Record<string, string> = {}, namespace = 'default'): K8s.Pod {
  return { name: 'reviews-v1', namespace, ips: ['10.244.2.8'], ip: '10.244.2.8', hostNetwork: false, labels, annotations: {}, containers: [], initContainers: [], owners: [], evidence: ev(`Pod ${namespace}/reviews-v1`) };
}

function service(labels: Record<string, string> = {}, namespace = 'default'): K8s.Service {
  return { name: 'reviews', namespace, type: 'ClusterIP', clusterIP: '10.96.55.4', clusterIPs: ['10.96.55.4'], selector: { app: 'reviews' }, ports: [], labels, annotations: {}, evidence: ev(`Service ${namespace}/reviews`) };
}

function gateway(name: string, o: { waypointFor?: string; addresses?: string[]; from?: string; className?: string; namespace?: string } = {}): K8s.Gateway {
  return {
    name, namespace: o.namespace ?? 'default', className: o.className ?? 'istio-waypoint',
    labels: o.waypointFor ? { 'istio.io/waypoint-for': o.waypointFor } : {}, annotations: {},
    listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', ...(o.from ? { allowedFrom: o.from } : {}) }],
    addresses: o.addresses ?? ['10.96.65.117'], evidence: ev(`Gateway ${o.namespace ?? 'default'}/${name}`),
  };
}

function cluster(o: { nsLabels?: Record<string, string>; gateways?: K8s.Gateway[]; serviceEntries?: K8s.ServiceEntry[] } = {}): K8s.Cluster {
  return {
    pods: [], services: [], endpointSlices: [], nodes: [],
    namespaces: [{ name: 'default', labels: o.nsLabels ?? {}, annotations: {}, evidence: ev('Namespace default') }],
    ...(o.gateways ? { gateways: o.gateways } : {}),
    ...(o.serviceEntries ? { serviceEntries: o.serviceEntries } : {}),
  };
}

const se = (addresses: string[]): K8s.ServiceEntry => ({
  name: 'api', namespace: 'default', hosts: ['api.example.com'], addresses, endpoints: ['203.0.113.7'], ports: [{ number: 443 }], labels: { 'istio.io/use-waypoint': 'egress' }, evidence: ev('ServiceEntry default/api'),
});

interface Row {
  name: string;
  cluster: K8s.Cluster;
  target: WaypointTarget;
  /** `namespace/name by <boundBy>`, plus ` unusable: <reason>`; undefined when no waypoint is bound. */
  expected: string | undefined;
}

const ROWS: Row[] = [
  { name: 'service label', cluster: cluster(), target: { kind: 'service', service: service({ 'istio.io/use-waypoint': 'waypoint' }) }, expected: 'default/waypoint by service default/reviews' },
  { name: 'namespace label when the service has none', cluster: cluster({ nsLabels: { 'istio.io/use-waypoint': 'ns-wp' } }), target: { kind: 'service', service: service() }, expected: 'default/ns-wp by namespace default' },
  { name: 'the object\'s label wins over its namespace\'s', cluster: cluster({ nsLabels: { 'istio.io/use-waypoint': 'ns-wp' } }), target: { kind: 'service', service: service({ 'istio.io/use-waypoint': 'svc-wp' }) }, expected: 'default/svc-wp by service default/reviews' },
  { name: '"none" on the object opts out of the namespace\'s waypoint', cluster: cluster({ nsLabels: { 'istio.io/use-waypoint': 'ns-wp' } }), target: { kind: 'pod', pod: pod({ 'istio.io/use-waypoint': 'none' }) }, expected: undefined },
  { name: 'use-waypoint-namespace names another namespace', cluster: cluster(), target: { kind: 'service', service: service({ 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'mesh' }) }, expected: 'mesh/shared by service default/reviews' },
  { name: 'a waypoint\'s own pods have no waypoint', cluster: cluster({ nsLabels: { 'istio.io/use-waypoint': 'waypoint' } }), target: { kind: 'pod', pod: pod({ 'gateway.networking.k8s.io/gateway-name': 'waypoint' }) }, expected: undefined },
  { name: 'no label anywhere', cluster: cluster(), target: { kind: 'service', service: service() }, expected: undefined },
  { name: 'a ready Gateway for services', cluster: cluster({ gateways: [gateway('waypoint')] }), target: { kind: 'service', service: service({ 'istio.io/use-waypoint': 'waypoint' }) }, expected: 'default/waypoint by service default/reviews' },
  {
    name: 'a Gateway without status address is not ready', cluster: cluster({ gateways: [gateway('waypoint', { addresses: [] })] }), target: { kind: 'service', service: service({ 'istio.io/use-waypoint': 'waypoint' }) },
    expected: 'default/waypoint by service default/reviews unusable: Gateway default/waypoint has no status address: it has no ready pod, so istiod binds nothing to it',
  },
  {
    name: 'waypoint-for defaults to service: pod traffic is not covered', cluster: cluster({ gateways: [gateway('waypoint')] }), target: { kind: 'pod', pod: pod({ 'istio.io/use-waypoint': 'waypoint' }) },
    expected: 'default/waypoint by pod default/reviews-v1 unusable: Gateway default/waypoint is istio.io/waypoint-for=service, which does not cover workload traffic',
  },
  { name: 'waypoint-for all covers pods', cluster: cluster({ gateways: [gateway('waypoint', { waypointFor: 'all' })] }), target: { kind: 'pod', pod: pod({ 'istio.io/use-waypoint': 'waypoint' }) }, expected: 'default/waypoint by pod default/reviews-v1' },
  {
    name: 'waypoint-for workload does not cover services', cluster: cluster({ gateways: [gateway('waypoint', { waypointFor: 'workload' })] }), target: { kind: 'service', service: service({ 'istio.io/use-waypoint': 'waypoint' }) },
    expected: 'default/waypoint by service default/reviews unusable: Gateway default/waypoint is istio.io/waypoint-for=workload, which does not cover service traffic',
  },
  {
    name: 'allowedRoutes from Same refuses another namespace', cluster: cluster({ gateways: [gateway('shared', { namespace: 'mesh' })] }), target: { kind: 'service', service: service({ 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'mesh' }) },
    expected: 'mesh/shared by service default/reviews unusable: Gateway mesh/shared admits only its own namespace (allowedRoutes from Same), not default',
  },
  { name: 'allowedRoutes from All admits it', cluster: cluster({ gateways: [gateway('shared', { namespace: 'mesh', from: 'All' })] }), target: { kind: 'service', service: service({ 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'mesh' }) }, expected: 'mesh/shared by service default/reviews' },
  { name: 'a Gateway of another class is no waypoint', cluster: cluster({ gateways: [gateway('waypoint', { className: 'istio' })] }), target: { kind: 'service', service: service({ 'istio.io/use-waypoint': 'waypoint' }) }, expected: 'default/waypoint by service default/reviews unusable: no waypoint Gateway default/waypoint exists' },
  {
    name: 'a ServiceEntry without addresses', cluster: cluster({ serviceEntries: [se([])] }), target: { kind: 'ip', ip: '203.0.113.7' },
    expected: 'default/egress by ServiceEntry default/api unusable: ServiceEntry default/api has no addresses, so ztunnel has no address to recognise its traffic by',
  },
  { name: 'a ServiceEntry with an address', cluster: cluster({ serviceEntries: [se(['240.240.0.1'])] }), target: { kind: 'ip', ip: '240.240.0.1' }, expected: 'default/egress by ServiceEntry default/api' },
];

describe('intent: the waypoint that should carry the traffic', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const w = intendedWaypoint(row.cluster, row.target);
      assert.equal(w && `${w.namespace}/${w.name} by ${w.boundBy}${w.unusable ? ` unusable: ${w.unusable.reason}` : ''}`, row.expected);
    });
  }

  it('points at the label that states the intent', () => {
    const w = intendedWaypoint(cluster({ nsLabels: { 'istio.io/use-waypoint': 'ns-wp' } }), { kind: 'service', service: service() });
    assert.deepEqual(w?.label, { file: 'k8s/x.json', pointer: '/items/0/metadata/labels/istio.io~1use-waypoint', text: 'Namespace default label istio.io/use-waypoint=ns-wp' });
  });
});
