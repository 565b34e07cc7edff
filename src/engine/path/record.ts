import type { Component, Evidence, Finding, Hop, HopStatus, Leg, LegProtocol, Packet, PacketView } from '../../model/index.ts';
import { endpoint } from '../../model/index.ts';

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

export function view(p: Packet): PacketView {
  const v: PacketView = { proto: p.proto, src: endpoint(p.src, p.sport), dst: endpoint(p.dst, p.dport), mark: hex(p.mark) };
  if (p.outer) v.outer = { type: p.outer.type, src: p.outer.src, dst: p.outer.dst, vni: p.outer.vni };
  if (p.hbone) v.hbone = { authority: p.hbone.authority, port: p.hbone.port };
  return v;
}

export interface HopInput {
  component: Component;
  netns: string;
  node?: string;
  where: string;
  action: string;
  before: Packet;
  after?: Packet;
  evidence: Evidence[];
  status?: HopStatus;
  note?: string;
}

export interface Checkpoint {
  hops: number;
  legs: number;
  /** How many hops each finding named then: a later walk may add to one. */
  findingHops: number[];
  openLeg: Leg | undefined;
  openLegHops: number;
}

/** Collects hops, legs and findings while a path is walked; numbers hops in order. */
export class Recorder {
  readonly hops: Hop[] = [];
  readonly legs: Leg[] = [];
  readonly findings: Finding[] = [];
  private openLeg: Leg | undefined;

  hop(h: HopInput): number {
    const n = this.hops.length + 1;
    const status: HopStatus = h.status ?? (h.evidence.some((e) => e.missing) ? 'inferred' : 'observed');
    const hop: Hop = {
      n,
      component: h.component,
      ...(h.node ? { node: h.node } : {}),
      netns: h.netns,
      where: h.where,
      action: h.action,
      packet: { before: view(h.before), after: view(h.after ?? h.before) },
      status,
      evidence: h.evidence,
      ...(h.note ? { note: h.note } : {}),
    };
    this.hops.push(hop);
    this.openLeg?.hops.push(n);
    return n;
  }

  startLeg(from: string, to: string, protocol: LegProtocol, src: string, dst: string, handshake?: Leg['handshake']): Leg {
    const leg: Leg = { n: this.legs.length + 1, from, to, protocol, src, dst, hops: [], ...(handshake ? { handshake } : {}) };
    this.legs.push(leg);
    this.openLeg = leg;
    return leg;
  }

  /** The leg's far end is known only once a socket accepts it. */
  closeLeg(to: string): void {
    if (this.openLeg) this.openLeg.to = to;
  }

  /** A proxy's source address is chosen by routing when its packet leaves; the leg learns it then. */
  legSource(src: string): void {
    if (this.openLeg) this.openLeg.src = src;
  }

  finding(f: Finding): void {
    const same = this.findings.find((x) => x.code === f.code && x.message === f.message);
    if (same) {
      for (const h of f.hops) if (!same.hops.includes(h)) same.hops.push(h);
      return;
    }
    this.findings.push(f);
  }

  /** Where the record stands, to come back to when a walk turns out to need no hops. */
  checkpoint(): Checkpoint {
    return { hops: this.hops.length, legs: this.legs.length, findingHops: this.findings.map((f) => f.hops.length), openLeg: this.openLeg, openLegHops: this.openLeg?.hops.length ?? 0 };
  }

  rollback(c: Checkpoint): void {
    this.hops.length = c.hops;
    this.legs.length = c.legs;
    this.findings.length = c.findingHops.length;
    c.findingHops.forEach((n, i) => (this.findings[i].hops.length = n));
    this.openLeg = c.openLeg;
    if (c.openLeg) c.openLeg.hops.length = c.openLegHops;
  }

  get lastHop(): number {
    return this.hops.length;
  }
}
