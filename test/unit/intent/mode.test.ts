import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { K8s } from '../../../src/model/index.ts';
import { intendedMode } from '../../../src/engine/intent/mode.ts';
import { inboundExclusion, outboundExclusion } from '../../../src/engine/intent/exclusions.ts';

const ev = (text: string) => ({ file: 'k8s/pods.json', pointer: '/items/0', text });

function pod(o: { labels?: Record<string, string>; annotations?: Record<string, string>; containers?: string[]; hostNetwork?: boolean } = {}): K8s.Pod {
  return {
    name: 'app', namespace: 'default', ips: ['10.244.1.5'], ip: '10.244.1.5', hostNetwork: o.hostNetwork ?? false,
    labels: o.labels ?? {}, annotations: o.annotations ?? {}, containers: (o.containers ?? ['app']).map((name) => ({ name, ports: [] })),
    initContainers: [], owners: [], evidence: ev('Pod default/app'),
  };
}

const cluster = (nsLabels: Record<string, string> = {}): K8s.Cluster => ({
  pods: [], services: [], endpointSlices: [], nodes: [], namespaces: [{ name: 'default', labels: nsLabels, annotations: {}, evidence: { file: 'k8s/namespaces.json', pointer: '/items/0', text: 'Namespace default' } }],
});

/** istio-cni's PodRedirectionEnabled and the injector's record, one row per rule: `mode (why)`. */
const MODES: { name: string; cluster: K8s.Cluster; pod: K8s.Pod; expected: string }[] = [
  { name: 'namespace ambient', cluster: cluster({ 'istio.io/dataplane-mode': 'ambient' }), pod: pod(), expected: 'ambient (namespace label istio.io/dataplane-mode=ambient)' },
  { name: 'pod ambient in a plain namespace', cluster: cluster(), pod: pod({ labels: { 'istio.io/dataplane-mode': 'ambient' } }), expected: 'ambient (pod label istio.io/dataplane-mode=ambient)' },
  { name: 'pod opts out of its ambient namespace', cluster: cluster({ 'istio.io/dataplane-mode': 'ambient' }), pod: pod({ labels: { 'istio.io/dataplane-mode': 'none' } }), expected: 'none (label istio.io/dataplane-mode=none)' },
  { name: 'host network is never captured', cluster: cluster({ 'istio.io/dataplane-mode': 'ambient' }), pod: pod({ hostNetwork: true }), expected: 'none (host network)' },
  { name: 'a sidecar wins over the ambient namespace', cluster: cluster({ 'istio.io/dataplane-mode': 'ambient' }), pod: pod({ annotations: { 'sidecar.istio.io/status': '{}' } }), expected: 'sidecar (annotation sidecar.istio.io/status)' },
  { name: 'an istio-proxy container is a sidecar', cluster: cluster(), pod: pod({ containers: ['app', 'istio-proxy'] }), expected: 'sidecar (container istio-proxy)' },
  { name: 'istio-cni\'s redirection annotation', cluster: cluster(), pod: pod({ annotations: { 'ambient.istio.io/redirection': 'enabled' } }), expected: 'ambient (annotation ambient.istio.io/redirection=enabled)' },
  { name: 'ztunnel itself', cluster: cluster({ 'istio.io/dataplane-mode': 'ambient' }), pod: pod({ labels: { app: 'ztunnel' } }), expected: 'none (an Istio data-plane pod)' },
  { name: 'nothing', cluster: cluster(), pod: pod(), expected: 'none (no sidecar and no ambient label)' },
];

describe('intent: the data-plane mode a pod asks for', () => {
  for (const row of MODES) {
    it(row.name, () => {
      const m = intendedMode(row.cluster, row.pod);
      assert.equal(`${m.mode} (${m.why})`, row.expected);
    });
  }
});

const EXCLUSIONS: { name: string; annotations: Record<string, string>; outbound?: [string, number]; inbound?: number; expected: string | undefined }[] = [
  { name: 'excluded outbound port', annotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': '5432, 8000' }, outbound: ['10.96.120.7', 8000], expected: 'traffic.sidecar.istio.io/excludeOutboundPorts: port 8000' },
  { name: 'another outbound port', annotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': '5432' }, outbound: ['10.96.120.7', 8000], expected: undefined },
  { name: 'excluded outbound range', annotations: { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.0/16' }, outbound: ['10.96.120.7', 8000], expected: 'traffic.sidecar.istio.io/excludeOutboundIPRanges: 10.96.0.0/16' },
  { name: 'outside the included ranges', annotations: { 'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.244.0.0/16' }, outbound: ['10.96.120.7', 8000], expected: 'traffic.sidecar.istio.io/includeOutboundIPRanges: 10.96.120.7 outside 10.244.0.0/16' },
  { name: 'included ranges "*"', annotations: { 'traffic.sidecar.istio.io/includeOutboundIPRanges': '*' }, outbound: ['10.96.120.7', 8000], expected: undefined },
  { name: 'excluded inbound port', annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '80' }, inbound: 80, expected: 'traffic.sidecar.istio.io/excludeInboundPorts: port 80' },
  { name: 'inbound port not included', annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': '9080' }, inbound: 80, expected: 'traffic.sidecar.istio.io/includeInboundPorts: port 80 not in 9080' },
];

describe('intent: traffic.sidecar.istio.io exclusions', () => {
  for (const row of EXCLUSIONS) {
    it(row.name, () => {
      const p = pod({ annotations: row.annotations });
      const x = row.outbound ? outboundExclusion(p, ...row.outbound) : inboundExclusion(p, row.inbound ?? 0);
      assert.equal(x && `${x.annotation}: ${x.matched}`, row.expected);
    });
  }
});
