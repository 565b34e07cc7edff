import type { Component, Finding, Hop, LegProtocol, Trace, Verdict } from '../../../src/model/index.ts';

/** A hop written as `component` or `component~` (inferred, with its missing file). */
type HopSpec = `${Component}${'' | '~'}`;

export interface TraceSpec {
  /** One list of hops per leg, in order; hops are numbered from 1 across legs. */
  legs: { protocol?: LegProtocol; hops: HopSpec[] }[];
  verdict?: Verdict;
  reason?: string;
  findings?: Pick<Finding, 'code' | 'hops'>[];
}

const PACKET = { proto: 'tcp', src: '10.0.0.1:43210', dst: '10.0.0.2:80', mark: '0x0' };

/** A small trace whose every hop and leg is stated by the test: only the fields the checks read vary. */
export function traceOf(spec: TraceSpec): Trace {
  const hops: Hop[] = [];
  const legs = spec.legs.map((l, i) => {
    const numbers = l.hops.map((h) => {
      const n = hops.length + 1;
      const inferred = h.endsWith('~');
      const component = h.replace('~', '') as Component;
      hops.push({
        n, component, netns: `pod:default/p${n}`, where: `${component} at ${n}`, action: 'a', packet: { before: PACKET, after: PACKET },
        status: inferred ? 'inferred' : 'observed',
        evidence: inferred ? [{ file: `pods/default/p${n}/sockets.txt`, missing: true }] : [{ file: `pods/default/p${n}/x.json`, pointer: '/0' }],
      });
      return n;
    });
    const to = [...l.hops].reverse().find((h) => !h.startsWith('kernel'))?.replace('~', '');
    return { n: i + 1, from: `from${i + 1}`, to: `p (${to})`, protocol: l.protocol ?? 'tcp', src: '10.0.0.1:43210', dst: '10.0.0.2:80', hops: numbers };
  });
  return {
    apiVersion: 'istio-path/v1', kind: 'Trace', snapshot: { path: 'snap' },
    source: { query: 'a' }, destination: { query: 'b' },
    hops, legs,
    verdict: spec.verdict ?? 'delivered', reason: spec.reason ?? 'accepted by b',
    alternatives: [],
    findings: (spec.findings ?? []).map((f) => ({ ...f, severity: 'warning', message: `${f.code} happened`, evidence: [] })),
  };
}
