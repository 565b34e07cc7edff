import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ztunnelOutbound, type ZNext, type ZtunnelLogic } from '../../../src/engine/ztunnel/index.ts';
import type { ZtunnelState } from '../../../src/model/ztunnel.ts';
import { legacy, mesh } from './fixtures.ts';

/** A decision without the workload objects, so the table stays readable. */
function brief(n: ZNext): string {
  switch (n.kind) {
    case 'hbone':
      return `hbone ${n.ip}:${n.port} authority ${n.authority} via ${n.via}${n.targetWorkload ? ` → ${n.targetWorkload.name}` : ''}${n.sameNode ? ' same-node' : ''}`;
    case 'tcp':
      return `tcp ${n.ip}:${n.port}${n.targetWorkload ? ` → ${n.targetWorkload.name}` : ''}`;
    case 'passthrough':
      return `passthrough ${n.ip}:${n.port}`;
    case 'deny':
      return `deny ${n.reason}`;
  }
}

const cases: { name: string; state: ZtunnelState; logic?: ZtunnelLogic; src: string; dst: string; next: string; alternatives?: string[]; kinds?: string[] }[] = [
  {
    name: 'VIP whose service has a waypoint → HBONE to the waypoint pod, authority VIP:port',
    state: mesh, src: '10.244.1.5', dst: '10.96.120.7:8000',
    next: 'hbone 10.244.2.52:15008 authority 10.96.120.7:8000 via waypoint',
    kinds: ['source-workload', 'service', 'waypoint'],
  },
  {
    name: '1.22+: VIP without a service waypoint → an endpoint directly, even though the pods name a waypoint',
    state: mesh, src: '10.244.1.5', dst: '10.96.74.131:9080',
    next: 'hbone 10.244.2.8:15008 authority 10.244.2.8:9080 via destination → reviews-1',
    alternatives: ['hbone 10.244.2.9:15008 authority 10.244.2.9:9080 via destination → reviews-2'],
    kinds: ['source-workload', 'service', 'endpoint', 'workload', 'waypoint'],
  },
  {
    name: '1.19–1.21: VIP → the chosen pod\'s own waypoint',
    state: mesh, logic: '1.19-1.21', src: '10.244.1.5', dst: '10.96.74.131:9080',
    next: 'hbone 10.244.2.52:15008 authority 10.96.74.131:9080 via waypoint → reviews-1',
    alternatives: ['hbone 10.244.2.52:15008 authority 10.96.74.131:9080 via waypoint → reviews-2'],
  },
  {
    name: 'workload IP with a workload waypoint → the waypoint',
    state: mesh, src: '10.244.1.5', dst: '10.244.2.8:9080',
    next: 'hbone 10.244.2.52:15008 authority 10.244.2.8:9080 via waypoint → reviews-1',
    kinds: ['source-workload', 'workload', 'waypoint'],
  },
  {
    name: 'source is the destination\'s waypoint → straight to the pod',
    state: mesh, src: '10.244.2.52', dst: '10.244.2.8:9080',
    next: 'hbone 10.244.2.8:15008 authority 10.244.2.8:9080 via destination → reviews-1',
  },
  {
    name: 'TCP workload behind a VIP → plaintext to podIP:targetPort',
    state: mesh, src: '10.244.1.5', dst: '10.96.9.9:5432',
    next: 'tcp 10.244.3.4:15432 → legacy-db-1',
  },
  { name: 'unknown IP → passthrough', state: mesh, src: '10.244.1.5', dst: '93.184.216.34:443', next: 'passthrough 93.184.216.34:443' },
  { name: 'unknown source → deny', state: mesh, src: '10.9.9.9', dst: '10.96.9.9:5432', next: 'deny source 10.9.9.9 is no workload in the config dump; ztunnel rejects the connection (UnknownSource)' },
  { name: '1.22: VIP on a port the service lacks → passthrough', state: mesh, logic: '1.22', src: '10.244.1.5', dst: '10.96.9.9:80', next: 'passthrough 10.96.9.9:80' },
  {
    name: '1.23+: VIP on a port the service lacks → NoHealthyUpstream',
    state: mesh, src: '10.244.1.5', dst: '10.96.9.9:80',
    next: 'deny service default/legacy-db has no usable endpoint for port 80 (NoHealthyUpstream)',
  },
  {
    name: '1.18: VIP → the pod\'s waypointAddresses, authority VIP:port',
    state: legacy, src: '10.244.1.5', dst: '10.96.131.224:8000',
    next: 'hbone 10.244.2.30:15008 authority 10.96.131.224:8000 via waypoint → httpbin-1',
  },
  { name: '1.18: VIP on an unlisted port is not a service → passthrough', state: legacy, src: '10.244.1.5', dst: '10.96.131.224:9999', next: 'passthrough 10.96.131.224:9999' },
  { name: '1.18: HBONE pod on another node → its IP:15008', state: legacy, src: '10.244.1.5', dst: '10.96.5.5:80', next: 'hbone 10.244.2.11:15008 authority 10.244.2.11:8080 via destination → echo-1' },
  { name: '1.18: HBONE pod on this node → same-node fast path', state: legacy, src: '10.244.1.5', dst: '10.244.1.9:5000', next: 'hbone 10.244.1.9:15008 authority 10.244.1.9:5000 via destination → helloworld-1 same-node' },
  { name: '1.18: TCP pod → plaintext', state: legacy, src: '10.244.2.11', dst: '10.244.1.5:80', next: 'tcp 10.244.1.5:80 → sleep-1' },
  { name: '1.18: ztunnel\'s own IP → SelfCall', state: legacy, src: '10.244.1.5', dst: '10.244.1.3:15000', next: 'deny destination 10.244.1.3 is this ztunnel\'s own IP (SelfCall)' },
];

for (const c of cases) {
  test(`outbound: ${c.name}`, () => {
    const [ip, port] = c.dst.split(':');
    const r = ztunnelOutbound(c.state, { srcIp: c.src, dst: { ip: ip!, port: Number(port) } }, c.logic ? { logic: c.logic } : undefined);
    assert.equal(brief(r.next), c.next);
    assert.deepEqual(r.alternatives.map(brief), c.alternatives ?? []);
    if (c.kinds) assert.deepEqual(r.steps.map((s) => s.kind), c.kinds);
  });
}

test('outbound: steps carry labelled summaries and evidence pointers', () => {
  const r = ztunnelOutbound(mesh, { srcIp: '10.244.1.5', dst: { ip: '10.96.120.7', port: 8000 } });
  assert.deepEqual(
    r.steps.map((s) => [s.summary, s.evidence.pointer]),
    [
      ['source workload default/sleep-1 10.244.1.5 (HBONE)', '/workloads/0'],
      ['service default/httpbin 10.96.120.7:8000 has waypoint 10.96.65.117:15008', '/services/1'],
      ['service waypoint 10.96.65.117:15008 → default/waypoint-1 10.244.2.52:15008 (HBONE, authority 10.96.120.7:8000)', '/services/1/waypoint'],
    ],
  );
});

test('outbound: pick chooses the endpoint; the others become alternatives', () => {
  const seen: string[][] = [];
  const r = ztunnelOutbound(mesh, { srcIp: '10.244.1.5', dst: { ip: '10.96.74.131', port: 9080 }, pick: (_id, labels) => (seen.push(labels), 1) });
  assert.deepEqual(seen, [['endpoint default/reviews-1 10.244.2.8', 'endpoint default/reviews-2 10.244.2.9']]);
  assert.equal(brief(r.next), 'hbone 10.244.2.9:15008 authority 10.244.2.9:9080 via destination → reviews-2');
  assert.deepEqual(r.alternatives.map(brief), ['hbone 10.244.2.8:15008 authority 10.244.2.8:9080 via destination → reviews-1']);
});
