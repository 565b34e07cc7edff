import type { Hop, Packet } from '../../model/index.ts';
import { endpoint } from '../../model/index.ts';
import type { Holder, Stage } from './conntrack.ts';
import { sendEstablished, type KernelEnd, type Walk } from './kernel.ts';
import type { Process } from './process.ts';

type Accepted = Extract<KernelEnd, { kind: 'accepted' }>;
type Ended = Extract<KernelEnd, { kind: 'end' }>;

export interface Handshake {
  /** The handshake packet that was lost, and how: its hops stay on the record as a leg of their own. */
  failed?: { packet: Exclude<Stage, 'SYN'>; end: Ended };
  /** A handshake packet the snapshot cannot follow (a netns it lacks): the connection is assumed to open. */
  unverified?: { packet: Exclude<Stage, 'SYN'>; reason: string };
  /** Every hop the SYN-ACK and ACK walks met, also those taken off the record, for callers that check which rules fired. */
  hops: Hop[];
}

interface Step {
  packet: Exclude<Stage, 'SYN'>;
  netns: string;
  proc: Process;
  pkt: Packet;
  holder: Holder;
  from: string;
  to: string;
}

/**
 * A socket accepting the SYN is not yet a connection: the SYN-ACK must find its way back to the
 * client through every netns's conntrack, marks and routing, and the client's ACK must follow the SYN.
 * Each is walked like the SYN; a walk that arrives leaves no hops behind (the path is the SYN's), a
 * lost one stays as a leg that shows where and why.
 */
export function handshake(w: Walk, accepted: Accepted, leg: number, names: { client: string; server: string }): Handshake {
  const { ct, client } = accepted.connection;
  const got = accepted.pkt;
  const sent = client.sent;
  const steps: Step[] = [
    {
      packet: 'SYN-ACK', netns: accepted.netns, proc: accepted.acceptor.process,
      // a SYN-ACK carries the listener's SO_MARK (`inet_request_mark`; tcp_fwmark_accept is off by default)
      pkt: { proto: got.proto, src: got.dst, sport: got.dport, dst: got.src, dport: got.sport, mark: accepted.acceptor.socket.mark ?? 0, connmark: 0, zone: 0 },
      holder: { netns: client.netns, ip: sent.src, port: sent.sport, transparent: client.proc.transparent },
      from: names.server, to: names.client,
    },
    {
      packet: 'ACK', netns: client.netns, proc: client.proc,
      pkt: { proto: sent.proto, src: sent.src, sport: sent.sport, dst: sent.dst, dport: sent.dport, mark: client.proc.mark, connmark: 0, zone: 0 },
      holder: { netns: accepted.netns, ip: got.dst, port: got.dport },
      from: names.client, to: names.server,
    },
  ];
  const hops: Hop[] = [];
  for (const s of steps) {
    const mark = w.rec.checkpoint();
    w.rec.startLeg(s.from, s.to, 'tcp', endpoint(s.pkt.src, s.pkt.sport), endpoint(s.pkt.dst, s.pkt.dport), { leg, packet: s.packet });
    const end = sendEstablished(w, { stage: s.packet, ct, holder: s.holder }, s.netns, s.proc, s.pkt);
    hops.push(...w.rec.hops.slice(mark.hops));
    if (end.verdict === 'delivered') {
      w.rec.rollback(mark);
      continue;
    }
    if (end.verdict === 'unknown') {
      w.rec.rollback(mark);
      return { unverified: { packet: s.packet, reason: end.reason }, hops };
    }
    return { failed: { packet: s.packet, end }, hops };
  }
  return { hops };
}
