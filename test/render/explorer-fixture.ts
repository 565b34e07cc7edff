import type { Hop, Trace } from '../../src/model/index.ts';

const packet = (src: string, dst: string, mark = '0x0') => ({ proto: 'tcp', src, dst, mark });

function hop(n: number, component: Hop['component'], netns: string, where: string, action: string, evidence: Hop['evidence'], after?: ReturnType<typeof packet>): Hop {
  const before = packet('10.0.0.1:40000', '10.96.0.10:80');
  return { n, component, netns, where, action, packet: { before, after: after ?? before }, status: evidence.some((e) => e.missing) ? 'inferred' : 'observed', evidence };
}

/** A small trace for the explorer: three hops, one of them inferred, and one alternative path. */
export const EXPLORER_TRACE: Trace = {
  apiVersion: 'istio-path/v1',
  kind: 'Trace',
  snapshot: { path: 'snap' },
  source: { query: 'a', namespace: 'ns', pod: 'a-1', ip: '10.0.0.1', node: 'n1' },
  destination: { query: 'b', namespace: 'ns', service: 'b', serviceIP: '10.96.0.10', port: 80 },
  hops: [
    hop(1, 'app', 'pod:ns/a-1', 'container a', 'connect() to 10.96.0.10:80', [{ file: 'k8s/pods.json', pointer: '/items/0', text: 'pod ns/a-1 10.0.0.1' }]),
    hop(2, 'kernel', 'pod:ns/a-1', 'iptables nat/OUTPUT', 'REDIRECT to port 15001', [
      { file: 'pods/ns/a-1/iptables-save.txt', line: 3, text: '-A OUTPUT -p tcp -j REDIRECT --to-ports 15001' },
      { file: 'pods/ns/a-1/iptables-save.txt', line: 4, text: '-A OUTPUT -j ACCEPT' },
      { file: 'pods/ns/a-1/ip-rule.json', pointer: '/0', text: '0: from all lookup local' },
    ], packet('10.0.0.1:40000', '127.0.0.1:15001', '0x1')),
    hop(3, 'sidecar', 'pod:ns/a-1', 'socket 0.0.0.0:15001', 'accept connection', [{ file: 'pods/ns/a-1/sockets.txt', missing: true }]),
  ],
  legs: [{ n: 1, from: 'a-1 (a)', to: 'a-1 (sidecar)', protocol: 'tcp', src: '10.0.0.1:40000', dst: '10.96.0.10:80', hops: [1, 2, 3] }],
  verdict: 'unknown',
  reason: 'the sidecar\'s config is not in the snapshot',
  alternatives: [
    { reason: 'statistic rule line 5 not taken', hops: [hop(1, 'app', 'pod:ns/a-1', 'container a', 'connect() to 10.96.0.10:80', []), hop(2, 'kernel', 'pod:ns/a-1', 'iptables nat/OUTPUT \x1b[31mred', 'ACCEPT', [])] },
  ],
  findings: [],
};
