/**
 * Predicted vs observed for one connection: the engine's kernel walk on the lab's snapshot against
 * what the lab's kernel did. Both sides are reduced to the same three facts — where the connection
 * ended (the netns and listening port that accepted it, or how it failed), its original destination,
 * and which rules fired — so a disagreement names exactly which fact differs.
 */
import type { Hop, NetnsData, Rule, Snapshot, Trace } from '../../src/model/index.ts';
import { endpoint } from '../../src/model/index.ts';
import { sendFrom, type KernelEnd } from '../../src/engine/path/kernel.ts';
import { handshake } from '../../src/engine/path/handshake.ts';
import { Recorder } from '../../src/engine/path/record.ts';
import { Choices } from '../../src/engine/path/choices.ts';
import { World } from '../../src/engine/path/world.ts';
import { ruleKey, type Observation, type Sender } from './lab.ts';

export type Outcome =
  | { kind: 'accepted'; netns: string; port: number; originalDst: string }
  | { kind: 'refused' | 'dropped' | 'no-route' | 'unknown' };

export interface Side {
  outcome: Outcome;
  fired: string[];
}

export interface Judgement {
  predicted: Side;
  observed: Side;
  differences: string[];
}

/** Targets the engine records a hop for; jumps, returns and counters only steer and are checked through their effects. */
const SILENT = new Set(['jump', 'goto', 'return', 'counter', 'log', 'trace']);

/** Rules of the snapshot by evidence key, so the kernel's counters can be read in the engine's terms. */
export function rulesOf(snapshot: Snapshot): Map<string, Rule> {
  const out = new Map<string, Rule>();
  for (const ns of snapshot.netns.values()) {
    for (const rs of [ns.iptables, ns.ip6tables, ns.nftables]) {
      for (const chain of rs?.chains.values() ?? []) for (const r of chain.rules) out.set(ruleKey(r.evidence), r);
    }
  }
  return out;
}

const acts = (r: Rule): boolean => r.actions.some((a) => !SILENT.has(a.kind));

/** How the engine's end of a walk reads as an outcome a client can see. */
export function outcomeOfEnd(verdict: string, reason: string): Outcome {
  if (verdict === 'no-route' || reason.startsWith('no route to')) return { kind: 'no-route' };
  if (verdict === 'dropped' && (reason.startsWith('rejected') || reason.startsWith('nothing listens'))) return { kind: 'refused' };
  if (verdict === 'dropped') return { kind: 'dropped' };
  return { kind: 'unknown' };
}

/** What the engine's kernel walk predicts for one connection opened in `netnsId` by `sender`. */
export function predict(snapshot: Snapshot, netnsId: string, sender: Sender, dst: string, dport: number): Side {
  const w = { world: new World(snapshot), rec: new Recorder(), choices: new Choices(), request: { http: false, why: 'lab connection' } };
  const proc = { component: 'app' as const, name: 'lab', uid: sender.uid, gid: sender.uid, mark: sender.mark, transparent: sender.transparent };
  const pkt = { proto: 'tcp' as const, src: sender.src ?? '', sport: 40000, dst, dport, mark: sender.mark, connmark: 0, zone: 0 };
  const end: KernelEnd = sendFrom(w, netnsId, proc, pkt);
  if (end.kind === 'end') return { outcome: outcomeOfEnd(end.verdict, end.reason), fired: firedIn(w.rec.hops) };
  // the handshake's hops count too: the kernel's counters saw its packets
  const shake = handshake(w, end, 1, { client: 'lab', server: end.acceptor.process.name });
  const fired = firedIn([...w.rec.hops, ...shake.hops]);
  if (shake.failed) return { outcome: { kind: 'dropped' }, fired };
  return { outcome: { kind: 'accepted', netns: end.netns, port: end.acceptor.socket.port, originalDst: endpoint(end.originalDst.ip, end.originalDst.port) }, fired };
}

/** Rules a list of hops says fired, by evidence key. */
export function firedIn(hops: Hop[]): string[] {
  const keys = hops.filter((h) => h.component === 'kernel').flatMap((h) => h.evidence).filter((e) => /(iptables-save\.txt|nft\.json)$/.test(e.file) && !e.missing).map(ruleKey);
  return [...new Set(keys)];
}

export function observedSide(o: Observation, rules: Map<string, Rule>): Side {
  const outcome: Outcome = o.accepted
    ? { kind: 'accepted', netns: o.accepted.netns, port: o.accepted.port, originalDst: o.accepted.originalDst }
    // connected but never accepted: the handshake's ACK was lost, so the client's data went nowhere either
    : { kind: o.result === 'timeout' || o.result === 'connected' ? 'dropped' : o.result === 'unreachable' ? 'no-route' : o.result === 'refused' ? 'refused' : 'unknown' };
  const fired = [...o.fired].filter((k) => rules.has(k) && acts(rules.get(k)!)).sort();
  return { outcome, fired };
}

/**
 * Compares the two sides. `strict(key)` says whether a rule counts only this connection's first
 * packet (nat rules; the random rule sets' `--ctstate NEW` rules): for those the kernel's counters
 * must show exactly the predicted rules; others also count later packets and replies, so the
 * kernel must only have counted every predicted one.
 */
export function judge(predicted: Side, observed: Side, rules: Map<string, Rule>, strict: (key: string) => boolean): Judgement {
  const differences: string[] = [];
  const p = predicted.outcome;
  const o = observed.outcome;
  if (JSON.stringify(p) !== JSON.stringify(o)) differences.push(`outcome: predicted ${describe(p)}, observed ${describe(o)}`);
  const seen = new Set(observed.fired);
  const said = new Set(predicted.fired);
  for (const k of predicted.fired) if (!seen.has(k)) differences.push(`rule ${k} predicted to fire, its counter did not move (${rules.get(k)?.evidence.text ?? ''})`);
  for (const k of observed.fired) if (!said.has(k) && strict(k)) differences.push(`rule ${k} fired, not predicted (${rules.get(k)?.evidence.text ?? ''})`);
  return { predicted, observed, differences };
}

export function describe(o: Outcome): string {
  return o.kind === 'accepted' ? `accepted in ${o.netns} on port ${o.port} (original destination ${o.originalDst})` : o.kind;
}

/** Rules in tables whose base chains are nat chains: they see only a connection's first packet. */
export function natRules(snapshot: Snapshot): Set<string> {
  const out = new Set<string>();
  for (const ns of snapshot.netns.values()) {
    for (const rs of [ns.iptables, ns.ip6tables, ns.nftables]) {
      const chains = [...(rs?.chains.values() ?? [])];
      const natTables = new Set(chains.filter((c) => c.base?.type === 'nat').map((c) => `${c.family}/${c.table}`));
      for (const c of chains) if (natTables.has(`${c.family}/${c.table}`)) for (const r of c.rules) out.add(ruleKey(r.evidence));
    }
  }
  return out;
}

/** The legs of a trace as connections to replay: who sends, from where, to what, and what the engine says happens. */
export interface LegReplay {
  leg: number;
  title: string;
  netns: string;
  sender: Sender;
  dst: string;
  dport: number;
  predicted: Side;
}

/** Reads each leg of an engine trace as one connection, with the sending process taken from the trace's evidence. */
export function legsOf(trace: Trace, snapshot: Snapshot, appUid: number): LegReplay[] {
  const hop = (n: number): Hop => trace.hops[n - 1];
  let uid = appUid;
  // a leg whose handshake packet was lost never opened, whatever its SYN met
  const lost = new Set(trace.legs.flatMap((l) => (l.handshake ? [l.handshake.leg] : [])));
  return trace.legs.filter((leg) => !leg.handshake).map((leg, i) => {
    const hops = leg.hops.map(hop);
    const first = hops.find((h) => h.component === 'kernel') ?? hops[0];
    const [dst, dport] = splitEndpoint(leg.dst);
    const srcIp = splitEndpoint(leg.src)[0];
    const netns = hops[0].component === 'app' ? hops[0].netns : first.netns;
    const ns = snapshot.netns.get(netns);
    const src = i === 0 || srcIp === '*' || srcIp === '' ? undefined : srcIp;
    const sender: Sender = { uid, mark: Number(first.packet.before.mark), transparent: !!src && !isLocal(ns, src), ...(src ? { src } : {}) };
    const accept = hops.find((h) => h.component !== 'kernel' && h.action.startsWith('accept'));
    let outcome: Outcome;
    if (accept && !lost.has(leg.n)) {
      const socket = acceptingSocket(snapshot, accept);
      outcome = { kind: 'accepted', netns: accept.netns, port: socket.port, originalDst: /original destination (\S+)\)/.exec(accept.action)![1] };
      uid = socket.uid ?? 0;
    } else {
      outcome = outcomeOfEnd(trace.verdict, trace.reason);
    }
    return { leg: leg.n, title: `${leg.from} → ${leg.dst}`, netns, sender, dst, dport, predicted: { outcome, fired: firedIn(hops) } };
  });
}

function acceptingSocket(snapshot: Snapshot, h: Hop): { port: number; uid?: number } {
  const ev = h.evidence.find((e) => e.file.endsWith('sockets.txt') && e.line !== undefined);
  const s = ev && snapshot.netns.get(h.netns)?.sockets?.find((x) => x.evidence.line === ev.line);
  if (!s) throw new Error(`hop ${h.n} accepts a connection without a socket of sockets.txt as evidence`);
  return { port: s.port, uid: s.uid };
}

function splitEndpoint(ep: string): [string, number] {
  const i = ep.lastIndexOf(':');
  return [ep.slice(0, i).replace(/^\[|\]$/g, ''), Number(ep.slice(i + 1))];
}

/** An address the netns can bind without IP_TRANSPARENT: one of its own, or loopback. */
function isLocal(ns: NetnsData | undefined, ip: string): boolean {
  return ip.startsWith('127.') || !!ns?.addrs?.some((a) => a.local === ip);
}
