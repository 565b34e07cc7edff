import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readSnapshot } from '../../src/snapshot/read.ts';
import { computeTrace } from '../../src/cli/trace-run.ts';
import { INTENT_FINDING_CODES, type Evidence, type Trace } from '../../src/model/index.ts';
import { EXAMPLES } from '../../scripts/examples/topology.ts';
import { projectRoot } from '../support/corpus.ts';

/**
 * One example snapshot per finding code: the trace's whole findings (code, severity, hops, message, every
 * evidence line and the fix), held against what the example was built to show. Evidence reads
 * `file:line text` or `file#pointer text`.
 */
interface Expected {
  code: string;
  severity: string;
  hops: number[];
  message: string;
  evidence: string[];
  fix: string;
}

interface Row {
  example: string;
  source: string;
  destination: string;
  verdict: Trace['verdict'];
  findings: Expected[];
}

const ROWS: Row[] = [
  {
    example: 'finding-capture-missing', source: 'sleep', destination: 'httpbin', verdict: 'delivered',
    findings: [
      {
        code: 'capture-missing', severity: 'error', hops: [3],
        message: 'source pod default/sleep-5d8c9f6b7-r9bkt is meant to be in the mesh (ambient, annotation ambient.istio.io/redirection=enabled) but its network namespace has no redirection rules, so its traffic leaves without a proxy',
        evidence: [
          'k8s/pods.json#/items/0/metadata/annotations/ambient.istio.io~1redirection Pod default/sleep-5d8c9f6b7-r9bkt annotation ambient.istio.io/redirection=enabled',
          'pods/default/sleep-5d8c9f6b7-r9bkt/iptables-save.txt:1 no Istio redirection rules (no ISTIO_* chain, no istio-* table)',
        ],
        fix: "istio-cni did not (re)install the pod's in-pod rules (typically after a node reboot or an istio-cni restart); restart pod default/sleep-5d8c9f6b7-r9bkt so istio-cni enrolls it again, and check the istio-cni-node logs on node-a",
      },
    ],
  },
  {
    example: 'finding-capture-dead-end', source: 'sleep', destination: 'httpbin', verdict: 'dropped',
    findings: [
      {
        code: 'capture-dead-end', severity: 'error', hops: [3,  5],
        message: 'pod:default/sleep-5d8c9f6b7-w6hqz: the capture rule of hop 3 hands the connection to port 15001, but nothing listens there (no ztunnel socket in the pod): the connection is refused',
        evidence: [
          'k8s/pods.json#/items/0/metadata/annotations/ambient.istio.io~1redirection Pod default/sleep-5d8c9f6b7-w6hqz annotation ambient.istio.io/redirection=enabled',
          'pods/default/sleep-5d8c9f6b7-w6hqz/iptables-save.txt:43 -A ISTIO_OUTPUT ! -d 127.0.0.1/32 -p tcp -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15001',
          'pods/default/sleep-5d8c9f6b7-w6hqz/sockets.txt:1 0 listening sockets, none matches',
        ],
        fix: 'ztunnel has not attached to this pod (it holds no socket in its network namespace, e.g. after a ztunnel restart or a node reboot); restart the ztunnel pod on node-a, then pod default/sleep-5d8c9f6b7-w6hqz if its sockets do not come back',
      },
    ],
  },
  {
    example: 'finding-capture-excluded', source: 'sleep', destination: 'httpbin', verdict: 'delivered',
    findings: [
      {
        code: 'capture-excluded', severity: 'warning', hops: [3],
        message: 'source pod default/sleep-9c7d8b6f5-x4ncv excludes port 8000 from its sidecar (traffic.sidecar.istio.io/excludeOutboundPorts=8000), so this connection leaves without going through the sidecar',
        evidence: [
          'k8s/pods.json#/items/0/metadata/annotations/traffic.sidecar.istio.io~1excludeOutboundPorts Pod default/sleep-9c7d8b6f5-x4ncv annotation traffic.sidecar.istio.io/excludeOutboundPorts=8000',
          'pods/default/sleep-9c7d8b6f5-x4ncv/iptables-save.txt:20 -A ISTIO_OUTPUT -p tcp -m tcp --dport 8000 -j RETURN',
        ],
        fix: 'if this traffic should be proxied, remove port 8000 from traffic.sidecar.istio.io/excludeOutboundPorts on the pod template; the rules change only when the pod is recreated',
      },
    ],
  },
  {
    example: 'finding-plaintext-between-meshed', source: 'sleep', destination: 'httpbin', verdict: 'delivered',
    findings: [
      {
        code: 'plaintext-between-meshed', severity: 'warning', hops: [6,  15],
        message: 'leg 2 (sleep-5d8c9f6b7-h4tjw (ztunnel) → httpbin-6f4c5d8b9-m2d8s (ztunnel)) is plain TCP although it accepts HBONE on 15008: ztunnel chose "connect 10.244.2.7:80 (plaintext)"',
        evidence: [
          'k8s/pods.json#/items/1/metadata/annotations/ambient.istio.io~1redirection Pod default/httpbin-6f4c5d8b9-m2d8s annotation ambient.istio.io/redirection=enabled',
          'pods/istio-system/ztunnel-ax7k2/ztunnel-config-dump.json#/workloads/1 workload default/sleep-5d8c9f6b7-h4tjw 10.244.1.5 HBONE',
          'pods/istio-system/ztunnel-ax7k2/ztunnel-config-dump.json#/services/0 service default/httpbin 10.96.120.7 ports 8000→80',
          'pods/istio-system/ztunnel-ax7k2/ztunnel-config-dump.json#/services/0/endpoints/Kubernetes~1~1Pod~1default~1httpbin-6f4c5d8b9-m2d8s endpoint Kubernetes//Pod/default/httpbin-6f4c5d8b9-m2d8s ports 8000→80 Healthy',
          'pods/istio-system/ztunnel-ax7k2/ztunnel-config-dump.json#/workloads/0 workload default/httpbin-6f4c5d8b9-m2d8s 10.244.2.7 TCP',
          'pods/default/httpbin-6f4c5d8b9-m2d8s/sockets.txt:5 LISTEN 0      1024           *:15008       *:* users:(("ztunnel",pid=6276,fd=5)) ino:868693 sk:12b6 cgroup:unreachable:1 v6only:0 <->',
        ],
        fix: 'ztunnel sends HBONE only to workloads its config marks HBONE; check that istio-cni enrolled default/httpbin-6f4c5d8b9-m2d8s (annotation ambient.istio.io/redirection) and that istiod pushed it as HBONE',
      },
    ],
  },
  {
    example: 'finding-mixed-backends', source: 'sleep', destination: 'httpbin', verdict: 'delivered',
    findings: [
      {
        code: 'ambiguous-order', severity: 'warning', hops: [3],
        message: 'ip nat OUTPUT and inet istio-proxy-nat output share output priority -100 in pod:default/sleep-8f6d7c9b5-q7wlr: the kernel runs the one registered last first, which the snapshot does not show; this trace runs ip nat OUTPUT first',
        evidence: [
          'pods/default/sleep-8f6d7c9b5-q7wlr/iptables-save.txt:5 :OUTPUT ACCEPT [0:0]',
          'pods/default/sleep-8f6d7c9b5-q7wlr/nft.json#/nftables/3 chain inet istio-proxy-nat output { type nat hook output priority -100; policy accept; }',
        ],
        fix: 'let only one of these chains act on this traffic, or give them different priorities so that their order is fixed',
      },
      {
        code: 'mixed-backends', severity: 'warning', hops: [3],
        message: 'pod:default/sleep-8f6d7c9b5-q7wlr holds Istio rules in both iptables and nftables; decided here: hop 3 by iptables (REDIRECT to port 15001), nftables decided no hop',
        evidence: [
          'pods/default/sleep-8f6d7c9b5-q7wlr/iptables-save.txt:29 -A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
          'pods/default/sleep-8f6d7c9b5-q7wlr/nft.json#/nftables/3 chain inet istio-proxy-nat output { type nat hook output priority -100; policy accept; }',
        ],
        fix: 'only one backend should hold Istio rules: after switching istio-cni between iptables and nftables, recreate the pod (or reboot the node) so the stale rules of the other backend are gone',
      },
    ],
  },
  {
    example: 'finding-double-capture', source: 'sleep', destination: 'httpbin', verdict: 'dropped',
    findings: [
      {
        code: 'double-capture', severity: 'error', hops: [5,  16,  28],
        message: 'pod default/sleep-6c4d9f7b8-t5vzn is captured twice: by sidecar rules and by ambient redirection; the path goes through sidecar then ztunnel then ztunnel',
        evidence: [
          'pods/default/sleep-6c4d9f7b8-t5vzn/iptables-save.txt:7 :ISTIO_INBOUND - [0:0]',
          'nodes/node-a/ipset.txt:2 add ztunnel-pods-ips 10.244.1.5 comment "b942a6b0-f9fe-4451-a123-f56fc0428133"',
        ],
        fix: 'a pod runs either a sidecar or ambient, not both: label it istio.io/dataplane-mode=none to keep the sidecar, or set sidecar.istio.io/inject=false to keep ambient, then recreate pod default/sleep-6c4d9f7b8-t5vzn',
      },
    ],
  },
  {
    example: 'finding-waypoint-bypassed', source: 'sleep', destination: 'reviews', verdict: 'delivered',
    findings: [
      {
        code: 'waypoint-bypassed', severity: 'warning', hops: [6],
        message: 'service default/reviews should go through waypoint default/waypoint (istio.io/use-waypoint on service default/reviews), but the path does not go through it: Gateway default/waypoint is istio.io/waypoint-for=workload, which does not cover service traffic; ztunnel chose "HBONE CONNECT 10.244.2.8:9080 via 10.244.2.8:15008"',
        evidence: [
          'k8s/services.json#/items/1/metadata/labels/istio.io~1use-waypoint Service default/reviews label istio.io/use-waypoint=waypoint',
          'k8s/gateways.json#/items/0/metadata/labels/istio.io~1waypoint-for Gateway default/waypoint label istio.io/waypoint-for=workload',
          'pods/istio-system/ztunnel-ax7k2/ztunnel-config-dump.json#/workloads/1 workload default/sleep-5d8c9f6b7-h4tjw 10.244.1.5 HBONE',
          'pods/istio-system/ztunnel-ax7k2/ztunnel-config-dump.json#/services/0 service default/reviews 10.96.55.4 ports 9080→9080',
          'pods/istio-system/ztunnel-ax7k2/ztunnel-config-dump.json#/services/0/endpoints/Kubernetes~1~1Pod~1default~1reviews-v1-5b8c9d7f6-w2kmn endpoint Kubernetes//Pod/default/reviews-v1-5b8c9d7f6-w2kmn ports 9080→9080 Healthy',
          'pods/istio-system/ztunnel-ax7k2/ztunnel-config-dump.json#/workloads/0 workload default/reviews-v1-5b8c9d7f6-w2kmn 10.244.2.8 HBONE',
        ],
        fix: 'make waypoint default/waypoint usable for this traffic (a ready Gateway of class istio-waypoint whose istio.io/waypoint-for covers it), or bind another waypoint',
      },
    ],
  },
  {
    example: 'finding-unexpected-path', source: 'client', destination: 'web', verdict: 'delivered',
    findings: [
      {
        code: 'unexpected-path', severity: 'warning', hops: [4,  10],
        message: "the connection is delivered to pod default/legacy-web-0, which service default/web's selector app=web does not pick; hop 4 sent it there (DNAT to 10.244.2.40:8080)",
        evidence: [
          'k8s/services.json#/items/0/spec/selector Service default/web selector app=web',
          'k8s/pods.json#/items/1 Pod default/legacy-web-0',
          'nodes/node-a/iptables-save.txt:36 -A KUBE-SEP-3EOAO7T7KM6VD4LE -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.244.2.40:8080',
        ],
        fix: "the Service's endpoints hold a pod its selector does not pick (stale or hand-made EndpointSlices); fix or delete the EndpointSlice of default/web",
      },
    ],
  },
  {
    example: 'finding-reply-misrouted', source: 'sleep', destination: 'httpbin', verdict: 'dropped',
    findings: [
      {
        code: "reply-misrouted", severity: "error", hops: [21,23,25],
        message: "the SYN-ACK of leg 3 leaves pod:default/httpbin-6f4c5d8b9-c4kxw towards node:node-b (hop 23), but its connection was opened inside pod:default/httpbin-6f4c5d8b9-c4kxw by httpbin-6f4c5d8b9-c4kxw (ztunnel) from 10.244.1.5:43212: no conntrack entry waits for it there, and it is lost (hop 25). default/httpbin-6f4c5d8b9-c4kxw is in-pod ambient (annotation ambient.istio.io/redirection=enabled) and its replies to ztunnel carry mark 0x111 (hop 21), but no ip rule sends fwmark 0x111/0xfff to ztunnel's table, so they follow the main table out of the pod",
        evidence: [
          "k8s/pods.json#/items/1/metadata/annotations/ambient.istio.io~1redirection Pod default/httpbin-6f4c5d8b9-c4kxw annotation ambient.istio.io/redirection=enabled",
          "pods/default/httpbin-6f4c5d8b9-c4kxw/iptables-save.txt:12 -A ISTIO_OUTPUT -m connmark --mark 0x111/0xfff -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff",
          "pods/default/httpbin-6f4c5d8b9-c4kxw/ip-rule.json# 3 ip rules, none for fwmark 0x111/0xfff",
        ],
        fix: "istio-cni installs \"ip rule add fwmark 0x111/0xfff pref 32764 lookup 100\" and \"ip route add local 0.0.0.0/0 dev lo table 100\" in every ambient pod; restart pod default/httpbin-6f4c5d8b9-c4kxw so istio-cni enrolls it again, and check the istio-cni-node logs on node-b",
      },
    ],
  },
];

const quiet = { stdout: () => {}, stderr: () => {}, color: false, env: {} };

async function trace(example: string, source: string, destination: string): Promise<Trace> {
  const snapshot = await readSnapshot(path.join(projectRoot, 'examples', example));
  return computeTrace(snapshot, source, destination, {}, quiet);
}

const line = (e: Evidence): string => `${e.file}${e.line !== undefined ? `:${e.line}` : e.pointer !== undefined ? `#${e.pointer}` : ''} ${e.text ?? ''}`.trim();

describe('findings: one example per code', () => {
  for (const row of ROWS) {
    it(`${row.example}: ${row.source} → ${row.destination}`, async () => {
      const t = await trace(row.example, row.source, row.destination);
      assert.equal(t.verdict, row.verdict);
      assert.deepEqual(t.findings.map((f) => ({ code: f.code, severity: f.severity, hops: f.hops, message: f.message, evidence: f.evidence.map(line), fix: f.fix })), row.findings);
      for (const f of t.findings) for (const n of f.hops) assert.ok(t.hops.some((h) => h.n === n), `hop ${n} of ${f.code} exists`);
    });
  }

  it('every intent code has its example', () => {
    assert.deepEqual([...new Set(ROWS.flatMap((r) => r.findings.map((f) => f.code)).filter((c) => INTENT_FINDING_CODES.includes(c)))].sort(), [...INTENT_FINDING_CODES].sort());
  });
});

describe('findings: the engine examples follow their intent', () => {
  const engineTraces = EXAMPLES.filter((e) => !e.name.startsWith('finding-')).flatMap((e) => e.traces.map(([s, d]) => ({ example: e.name, s, d })));

  it('are the 12 traces of the engine examples (with deploy/httpbin, 13)', () => {
    assert.equal(engineTraces.length, 12);
  });

  for (const { example, s, d } of [...engineTraces, { example: 'mixed-1.24', s: 'sleep', d: 'deploy/httpbin' }]) {
    it(`${example}: ${s} → ${d}`, async () => {
      const t = await trace(example, s, d);
      const intent = t.findings.filter((f) => INTENT_FINDING_CODES.includes(f.code)).map((f) => f.code);
      // The bypass example exists to show a sidecar that skips the service's waypoint.
      assert.deepEqual(intent, example === 'sidecar-to-ambient-waypoint-bypass' ? ['waypoint-bypassed'] : []);
    });
  }
});
