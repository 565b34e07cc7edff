import type { Hop, Leg, LegProtocol, Trace } from '../../model/index.ts';
import { arrivalDevice, linkDevices, type DeviceRef } from './devices.ts';
import type { Diagram, Edge, EdgeKind, Group, Vertex } from './model.ts';

/**
 * Builds the diagram of a trace from its hops alone: every box, device and arrow comes from the
 * hops' netns, evidence and `where`, so a path the snapshot sends elsewhere draws elsewhere.
 *
 * Consecutive hops inside one netns become one arrow labelled with their range; a hop that crosses
 * a device pair (veth, tunnel, node uplink) is an arrow of its own between the two devices; a
 * proxy's or app's hops join the arrow into it. Every hop number appears on exactly one arrow.
 */
export function buildDiagram(trace: Trace): Diagram {
  const b = new Builder(trace);
  b.walk();
  return { title: title(trace), verdict: trace.verdict, reason: trace.reason, groups: b.groups, vertices: b.vertices, edges: b.edges };
}

class Builder {
  readonly groups: Group[] = [];
  readonly vertices: Vertex[] = [];
  readonly edges: Edge[] = [];
  private readonly byKey = new Map<string, Vertex>();
  private readonly groupOf = new Map<string, Group>();
  private readonly nodeOf = new Map<string, string>();
  private readonly legOf = new Map<number, Leg>();
  private readonly processHops = new Map<string, number[]>();
  private current: Vertex | undefined;
  private pending: number[] = [];
  private pendingKind: EdgeKind = 'local';
  private lastEdge: Edge | undefined;

  constructor(private readonly trace: Trace) {
    for (const h of trace.hops) if (h.node) this.nodeOf.set(h.netns, h.node);
    for (const end of [trace.source, trace.destination]) {
      if (end.pod && end.namespace && end.node) this.nodeOf.set(`pod:${end.namespace}/${end.pod}`, end.node);
    }
    for (const leg of trace.legs) for (const n of leg.hops) this.legOf.set(n, leg);
  }

  walk(): void {
    const hops = this.trace.hops;
    hops.forEach((hop, i) => {
      if (hop.component !== 'kernel') return this.process(hop);
      const to = hops[i + 1]?.netns ?? linkDevices(hop).find((d) => d.netns !== hop.netns)?.netns;
      if (to && to !== hop.netns) return this.cross(hop, to);
      this.pending.push(hop.n);
    });
    if (this.trace.verdict !== 'delivered') {
      const last = hops.at(-1);
      const netns = last?.netns ?? this.sourceNetns();
      const verdict = this.trace.verdict as Exclude<Trace['verdict'], 'delivered'>;
      const label = last ? `${verdict} at ${last.where}` : verdict;
      const end = this.vertex(`end|${netns}`, (id) => ({ id, kind: 'end', group: this.group(netns)?.id, label, verdict }));
      this.connect(end, [], true);
    } else if (this.pending.length && this.lastEdge) {
      this.lastEdge.hops.push(...this.pending);
      this.lastEdge.label = hopLabel(this.lastEdge.hops);
    }
    this.nameProcesses();
  }

  private process(hop: Hop): void {
    const component = hop.component as Exclude<Hop['component'], 'kernel'>;
    const v = this.vertex(`proc|${hop.netns}|${component}`, (id) => ({ id, kind: 'process', group: this.group(hop.netns)?.id, label: component, component }));
    this.processHops.set(v.id, [...(this.processHops.get(v.id) ?? []), hop.n]);
    if (!this.current) {
      this.current = v;
      this.pending.push(hop.n);
    } else if (v !== this.current) {
      this.connect(v, [hop.n]);
    } else if (this.lastEdge?.to === v.id && !this.pending.length) {
      // A proxy accepting and then deciding: both hops belong to the arrow that brought the connection.
      this.lastEdge.hops.push(hop.n);
      this.lastEdge.label = hopLabel(this.lastEdge.hops);
    } else {
      this.pending.push(hop.n);
    }
  }

  private cross(hop: Hop, to: string): void {
    const fromNode = this.nodeOf.get(hop.netns) ?? nodeOfNetns(hop.netns);
    const toNode = this.nodeOf.get(to) ?? nodeOfNetns(to);
    const outRef = linkDevices(hop).find((d) => d.netns === hop.netns);
    const inRef = arrivalDevice(hop, to);
    const kind: EdgeKind = outRef?.type === 'geneve' || outRef?.type === 'vxlan' ? 'tunnel' : fromNode && toNode && fromNode !== toNode ? 'wire' : 'veth';
    const out = outRef && this.device(outRef, kind);
    const into = inRef && this.device(inRef, kind);
    if (out && out !== this.current) this.connect(out, []);
    if (into) {
      this.pendingKind = kind;
      this.connect(into, [hop.n]);
    } else {
      this.pending.push(hop.n);
      this.pendingKind = kind;
    }
  }

  private connect(to: Vertex, hops: number[], end = false): void {
    const all = [...this.pending, ...hops];
    const from = this.current;
    if (from) {
      const last = all.at(-1);
      const leg = last !== undefined ? this.legOf.get(last) : undefined;
      const protocol: LegProtocol = leg?.protocol ?? this.lastEdge?.protocol ?? 'tcp';
      // a lost handshake packet runs against the path: its arrows say which packet they carry
      const label = leg?.handshake ? `${leg.handshake.packet} ${hopLabel(all)}` : hopLabel(all);
      const edge: Edge = { from: from.id, to: to.id, hops: all, label, kind: this.pendingKind, protocol, end };
      this.edges.push(edge);
      this.lastEdge = edge;
    }
    this.current = to;
    this.pending = [];
    this.pendingKind = 'local';
  }

  private device(ref: DeviceRef, kind: EdgeKind): Vertex {
    return this.vertex(`dev|${ref.netns}|${ref.name}`, (id) => ({ id, kind: 'device', group: this.group(ref.netns)?.id, label: ref.name, type: kind === 'wire' ? 'uplink' : ref.type }));
  }

  private vertex(key: string, make: (id: string) => Vertex): Vertex {
    let v = this.byKey.get(key);
    if (!v) {
      v = make(`v${this.vertices.length + 1}`);
      this.vertices.push(v);
      this.byKey.set(key, v);
    }
    return v;
  }

  /** The box of a netns: its node's box for a host netns, a pod box (inside its node's box when known) otherwise. */
  private group(netns: string): Group | undefined {
    const existing = this.groupOf.get(netns);
    if (existing) return existing;
    const node = this.nodeOf.get(netns) ?? nodeOfNetns(netns);
    const nodeGroup = node ? this.nodeGroup(node) : undefined;
    if (netns.startsWith('node:')) return nodeGroup;
    if (!netns.startsWith('pod:')) return undefined;
    const g: Group = { id: `g${this.groups.length + 1}`, kind: 'pod', netns, label: podLabel(this.trace, netns.slice('pod:'.length)), ...(nodeGroup ? { parent: nodeGroup.id } : {}) };
    this.groups.push(g);
    this.groupOf.set(netns, g);
    return g;
  }

  private nodeGroup(node: string): Group {
    const netns = `node:${node}`;
    let g = this.groupOf.get(netns);
    if (!g) {
      g = { id: `g${this.groups.length + 1}`, kind: 'node', netns, label: `node ${node}` };
      this.groups.push(g);
      this.groupOf.set(netns, g);
    }
    return g;
  }

  private sourceNetns(): string {
    const s = this.trace.source;
    return s.pod && s.namespace ? `pod:${s.namespace}/${s.pod}` : 'unknown';
  }

  /**
   * A process is named as the legs name it (`sleep-… (sleep)`): the leg it opens or the leg it accepts.
   * The app's container or process name shows; proxies keep their role.
   */
  private nameProcesses(): void {
    for (const v of this.vertices) {
      if (v.kind !== 'process' || v.component !== 'app') continue;
      const hops = this.processHops.get(v.id) ?? [];
      const leg = this.trace.legs.find((l) => hops.includes(l.hops[0]!)) ?? this.trace.legs.find((l) => hops.includes(l.hops.at(-1)!));
      const end = leg && (hops.includes(leg.hops[0]!) ? leg.from : leg.to);
      const name = end && /\(([^()]*)\)$/.exec(end)?.[1];
      if (name) v.label = name;
    }
  }
}

function nodeOfNetns(netns: string): string | undefined {
  return netns.startsWith('node:') ? netns.slice('node:'.length) : undefined;
}

function podLabel(trace: Trace, name: string): string {
  for (const end of [trace.source, trace.destination]) {
    if (end.pod && `${end.namespace}/${end.pod}` === name && end.ip) return `pod ${name} ${end.ip}`;
  }
  return `pod ${name}`;
}

/** `3`, `1–5`, or `4, 6–7` when the hops are not contiguous. */
export function hopLabel(hops: number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < hops.length) {
    let j = i;
    while (j + 1 < hops.length && hops[j + 1] === hops[j]! + 1) j++;
    parts.push(j === i ? `${hops[i]}` : `${hops[i]}–${hops[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function title(t: Trace): string {
  const src = t.source.pod ? `${t.source.namespace}/${t.source.pod}` : t.source.query;
  const d = t.destination;
  const dst = d.service ? `service ${d.namespace}/${d.service} ${d.serviceIP}:${d.port}` : `${d.pod ? `${d.namespace}/${d.pod}` : d.ip ?? d.query}:${d.port}`;
  return `${src} → ${dst}`;
}
