import type { CtState, Evidence, Hook, Packet } from '../../model/index.ts';

/** Addresses and ports of a packet, as conntrack keys it. */
export interface Tuple {
  src: string;
  sport: number;
  dst: string;
  dport: number;
}

/**
 * One connection's conntrack entry in one network namespace (each netns has its own table): the
 * tuple the first packet had when the entry was made, the tuple it left with after this netns's NAT,
 * and the connection mark. Every later packet of the connection, in either direction, is rewritten
 * from these by the nat core without running nat chains again, and sees this connmark.
 */
export interface CtEntry {
  original: Tuple;
  translated: Tuple;
  connmark: number;
  /** The rules that NATed the first packet here: the evidence for rewriting the later ones. */
  nat: Evidence[];
}

/** Which packet of a TCP handshake a kernel walk follows. */
export type Stage = 'SYN' | 'SYN-ACK' | 'ACK';

/** The socket a handshake packet must reach: the client for the SYN-ACK, the accepted one for the ACK. */
export interface Holder {
  netns: string;
  ip: string;
  port: number;
  transparent?: boolean;
}

/** The conntrack entries one connection made, by netns id, as its SYN walked through them. */
export class Conntrack {
  readonly entries = new Map<string, CtEntry>();

  /** The SYN enters a netns (or leaves its socket): the entry is made once, before any of its NAT. */
  begin(netns: string, pkt: Packet): void {
    if (!this.entries.has(netns)) this.entries.set(netns, { original: tuple(pkt), translated: tuple(pkt), connmark: pkt.connmark, nat: [] });
  }

  /** The SYN leaves the netns or is delivered in it: the entry holds what NAT and CONNMARK left. */
  end(netns: string, pkt: Packet): void {
    const e = this.entries.get(netns);
    if (!e) return;
    e.translated = tuple(pkt);
    e.connmark = pkt.connmark;
  }
}

/** A packet of an established connection as it walks: the stage, the entries, the socket it must reach. */
export interface Established {
  stage: Exclude<Stage, 'SYN'>;
  ct: Conntrack;
  holder: Holder;
  /** The entry of the netns the packet is in, when its tuple belongs to the connection there. */
  entry?: CtEntry;
}

export function tuple(p: Packet): Tuple {
  return { src: p.src, sport: p.sport, dst: p.dst, dport: p.dport };
}

const reversed = (t: Tuple): Tuple => ({ src: t.dst, sport: t.dport, dst: t.src, dport: t.sport });

export function sameTuple(a: Tuple, b: Tuple): boolean {
  return a.src === b.src && a.sport === b.sport && a.dst === b.dst && a.dport === b.dport;
}

/** Whether `pkt`, in `netns`, is addressed to the socket holding the connection. */
export function holds(h: Holder, netns: string, pkt: Packet): boolean {
  return h.netns === netns && h.ip === pkt.dst && h.port === pkt.dport;
}

/**
 * The entry a packet of `stage` belongs to in `netns`: a reply carries the translated tuple reversed,
 * a packet of the original direction the original tuple. Anything else is another connection to
 * this netns's conntrack.
 */
export function entryFor(est: Established, netns: string, pkt: Packet): CtEntry | undefined {
  const e = est.ct.entries.get(netns);
  if (!e) return undefined;
  return sameTuple(tuple(pkt), est.stage === 'SYN-ACK' ? reversed(e.translated) : e.original) ? e : undefined;
}

/**
 * `--ctstate` of a handshake packet. The SYN-ACK of a connection this netns does not track is
 * INVALID (conntrack picks up no connection from a SYN-ACK); an ACK it does not track is picked up
 * as NEW. The status bits SNAT and DNAT belong to the connection, so both directions carry them.
 */
export function ctStates(est: Established): CtState[] {
  const e = est.entry;
  if (!e) return [est.stage === 'SYN-ACK' ? 'INVALID' : 'NEW'];
  const out: CtState[] = ['ESTABLISHED'];
  if (e.original.dst !== e.translated.dst || e.original.dport !== e.translated.dport) out.push('DNAT');
  if (e.original.src !== e.translated.src || e.original.sport !== e.translated.sport) out.push('SNAT');
  return out;
}

/**
 * What the nat core does to a later packet of the connection at `hook`: destinations are rewritten
 * at PREROUTING/OUTPUT, sources at INPUT/POSTROUTING (`HOOK2MANIP`), nothing at FORWARD. A reply undoes this netns's
 * NAT, a packet of the original direction repeats it.
 */
export function natRewrite(est: Established, hook: Hook): Partial<Tuple> | undefined {
  const e = est.entry;
  if (!e || hook === 'forward') return undefined;
  const dstHook = hook === 'prerouting' || hook === 'output';
  const { original: o, translated: t } = e;
  const srcChanged = o.src !== t.src || o.sport !== t.sport;
  const dstChanged = o.dst !== t.dst || o.dport !== t.dport;
  if (est.stage === 'SYN-ACK') {
    if (dstHook) return srcChanged ? { dst: o.src, dport: o.sport } : undefined;
    return dstChanged ? { src: o.dst, sport: o.dport } : undefined;
  }
  if (dstHook) return dstChanged ? { dst: t.dst, dport: t.dport } : undefined;
  return srcChanged ? { src: t.src, sport: t.sport } : undefined;
}
