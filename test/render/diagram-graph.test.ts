import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXAMPLES } from '../../scripts/examples/topology.ts';
import { cli } from '../cli/support.ts';
import { buildDiagram, hopLabel } from '../../src/render/diagram/graph.ts';
import type { Diagram } from '../../src/render/diagram/model.ts';
import type { Trace } from '../../src/model/index.ts';
import { labelHops } from './support.ts';

async function trace(example: string, src: string, dst: string): Promise<Trace> {
  const r = await cli(['trace', src, dst, '--snapshot', `examples/${example}`, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Trace;
}

/** Each arrow as `from --label--> to (kind, protocol)`, boxes named by their box and caption. */
function arrows(d: Diagram): string[] {
  const groups = new Map(d.groups.map((g) => [g.id, g]));
  const name = (id: string) => {
    const v = d.vertices.find((x) => x.id === id)!;
    const g = v.group ? groups.get(v.group) : undefined;
    return `${g ? `${g.netns}|` : ''}${v.label}`;
  };
  return d.edges.map((e) => `${name(e.from)} --${e.label}--> ${name(e.to)} (${e.kind}, ${e.protocol}${e.end ? ', end' : ''})`);
}

describe('diagram graph', () => {
  it('hopLabel writes ranges and lists', () => {
    const cases: [number[], string][] = [[[3], '3'], [[1, 2, 3, 4, 5], '1–5'], [[4, 6, 7], '4, 6–7'], [[], '']];
    for (const [hops, label] of cases) assert.equal(hopLabel(hops), label);
  });

  it('ambient 1.18 sleep → sidecar httpbin: the reference post\'s first figure, arrow by arrow', async () => {
    const d = buildDiagram(await trace('ambient-1.18-sleep-to-sidecar-httpbin', 'sleep', 'httpbin'));
    assert.deepEqual(arrows(d), [
      'pod:default/sleep-6c4d9f7b8-x2x9q|sleep --1–2--> pod:default/sleep-6c4d9f7b8-x2x9q|eth0 (local, tcp)',
      'pod:default/sleep-6c4d9f7b8-x2x9q|eth0 --3--> node:node-a|vethfab787fb (veth, tcp)',
      'node:node-a|vethfab787fb --4–7--> node:node-a|istioout (local, tcp)',
      'node:node-a|istioout --8--> pod:istio-system/ztunnel-ax7k2|pistioout (tunnel, tcp)',
      'pod:istio-system/ztunnel-ax7k2|pistioout --9–12--> pod:istio-system/ztunnel-ax7k2|ztunnel (local, tcp)',
      'pod:istio-system/ztunnel-ax7k2|ztunnel --13--> pod:istio-system/ztunnel-ax7k2|eth0 (local, tcp)',
      'pod:istio-system/ztunnel-ax7k2|eth0 --14--> node:node-a|veth9a6a00b3 (veth, tcp)',
      'node:node-a|veth9a6a00b3 --15–17--> node:node-a|eth0 (local, tcp)',
      'node:node-a|eth0 --18--> node:node-b|eth0 (wire, tcp)',
      'node:node-b|eth0 --19--> node:node-b|veth4d79c818 (local, tcp)',
      'node:node-b|veth4d79c818 --20--> pod:default/httpbin-7d8f6c9b5-4kq2m|eth0 (veth, tcp)',
      'pod:default/httpbin-7d8f6c9b5-4kq2m|eth0 --21–24--> pod:default/httpbin-7d8f6c9b5-4kq2m|sidecar (local, tcp)',
      'pod:default/httpbin-7d8f6c9b5-4kq2m|sidecar --25–26--> pod:default/httpbin-7d8f6c9b5-4kq2m|httpbin (local, tcp)',
    ]);
    assert.deepEqual(d.groups.map((g) => `${g.id} ${g.label}${g.parent ? ` in ${g.parent}` : ''}`), [
      'g1 node node-a',
      'g2 pod default/sleep-6c4d9f7b8-x2x9q 10.244.1.5 in g1',
      'g3 pod istio-system/ztunnel-ax7k2 in g1',
      'g4 node node-b',
      'g5 pod default/httpbin-7d8f6c9b5-4kq2m 10.244.2.7 in g4',
    ]);
  });

  it('a dropped path ends in a red end box named after the deciding hop (mixed-1.24: sleep → postgres.legacy)', async () => {
    const d = buildDiagram(await trace('mixed-1.24', 'sleep', 'postgres.legacy'));
    assert.deepEqual(arrows(d).slice(-2), [
      'node:node-a|eth0 --10--> node:node-b|eth0 (wire, tcp)',
      'node:node-b|eth0 --11–12--> node:node-b|dropped at iptables filter/FORWARD (local, tcp, end)',
    ]);
  });

  it('HBONE legs are marked on their arrows (ambient-1.24-inpod: sleep → httpbin)', async () => {
    const d = buildDiagram(await trace('ambient-1.24-inpod', 'sleep', 'httpbin'));
    assert.deepEqual(d.edges.map((e) => `${e.label} ${e.protocol}`), ['1–6 tcp', '7 hbone', '8 hbone', '9 hbone', '10 hbone', '11 hbone', '12 hbone', '13–15 hbone', '16–19 tcp']);
  });

  it('devices come from the hops\' evidence: a renamed device in the snapshot draws under its new name', async () => {
    const t = await trace('ambient-1.18-sleep-to-sidecar-httpbin', 'sleep', 'httpbin');
    const hop8 = t.hops[7]!;
    hop8.evidence = hop8.evidence.map((e) => ({ ...e, text: e.text?.replace('pistioout', 'tun-in').replace('istioout', 'tun-out').replace('geneve', 'vxlan') }));
    const d = buildDiagram(t);
    assert.deepEqual(d.vertices.filter((v) => v.kind === 'device' && v.type === 'vxlan').map((v) => v.label), ['tun-out', 'tun-in']);
  });

  for (const example of EXAMPLES) {
    for (const [src, dst] of example.traces) {
      it(`every hop appears on exactly one arrow, in order (${example.name}: ${src} → ${dst})`, async () => {
        const tr = await trace(example.name, src, dst);
        const d = buildDiagram(tr);
        assert.deepEqual(d.edges.flatMap((e) => labelHops(e.label)), tr.hops.map((h) => h.n));
        assert.equal(d.edges.filter((e) => e.end).length, tr.verdict === 'delivered' ? 0 : 1);
      });
    }
  }
});
