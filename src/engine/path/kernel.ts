import { endpoint } from '../../model/index.ts';
import type { Action, Evidence, Hook, NetnsData, Packet, Rule, Ruleset, Verdict } from '../../model/index.ts';
import { baseChains, evaluateHook, type HookOptions, type HookResult, type NfContext } from '../netfilter/evaluate.ts';
import { natCorePriority } from '../netfilter/hooks.ts';
import { routeLookup, type RouteResult } from '../routing/lookup.ts';
import { cidrContains, ipFamily } from '../net/cidr.ts';
import { findListener } from '../sockets/lookup.ts';
import type { Process, Acceptor } from './process.ts';
import type { Recorder } from './record.ts';
import type { World } from './world.ts';
import type { Choices } from './choices.ts';
import { describeAction } from './describe.ts';
import { acceptorFor } from './sockets.ts';
import { transit } from './transit.ts';
import { Conntrack, ctStates, entryFor, type Established, holds, natRewrite, sameTuple } from './conntrack.ts';

/** A listening socket took the SYN. */
interface Accepted {
  kind: 'accepted';
  netns: string;
  acceptor: Acceptor;
  pkt: Packet;
  originalDst: { ip: string; port: number };
}

type Ended = { kind: 'end'; verdict: Verdict; reason: string };

/** The connection a SYN opened: the conntrack entries it made and the socket that sent it. */
export interface Connection {
  ct: Conntrack;
  client: { netns: string; proc: Process; sent: Packet };
}

/** How one packet's journey through kernels ended. */
export type KernelEnd = (Accepted & { connection: Connection }) | Ended;

export interface Walk {
  world: World;
  rec: Recorder;
  choices: Choices;
  request: AppRequest;
  /** The connection this walk's packet belongs to: its SYN records conntrack entries, later packets use them. */
  conn?: { stage: 'SYN'; ct: Conntrack } | Established;
}

/** What the application sends, as far as proxies that inspect it care: HTTP (with its Host) or opaque TCP. */
export interface AppRequest {
  http: boolean;
  host?: string;
  /** Why the request is taken to be HTTP or TCP (the Service port's name or appProtocol). */
  why: string;
}

/** Network namespaces a single connection may cross before we call it a loop. */
const MAX_NETNS_CROSSINGS = 24;

/**
 * A process opens a connection: the first packet leaves its socket in `netnsId` and is followed
 * through netfilter, routing and devices until a socket accepts it or the kernel gives up on it.
 */
export function sendFrom(w: Walk, netnsId: string, proc: Process, pkt: Packet): KernelEnd {
  const ct = new Conntrack();
  let sent = pkt;
  const end = send({ ...w, conn: { stage: 'SYN', ct } }, netnsId, proc, pkt, (routed) => (sent = routed));
  return end.kind === 'accepted' ? { ...end, connection: { ct, client: { netns: netnsId, proc, sent } } } : end;
}

/**
 * A later packet of a connection leaves a socket in `netnsId`: it is followed like the SYN, with
 * conntrack's state and NAT, until it reaches the socket holding the connection (verdict
 * `delivered`) or is lost on the way.
 */
export function sendEstablished(w: Walk, est: Established, netnsId: string, proc: Process, pkt: Packet): Ended {
  const end = send({ ...w, conn: est }, netnsId, proc, pkt, () => {});
  return end.kind === 'end' ? end : { kind: 'end', verdict: 'unknown', reason: `a listening socket in ${end.netns} took a packet of an established connection` };
}

function send(w: Walk, netnsId: string, proc: Process, pkt: Packet, routed: (pkt: Packet) => void): Accepted | Ended {
  const ns = w.world.netns(netnsId);
  const node = w.world.nodeOf(netnsId);
  if (!ns) return { kind: 'end', verdict: 'unknown', reason: `the snapshot has no network namespace ${netnsId}` };
  noteMissingRules(w, ns, netnsId, pkt);

  const route = lookup(w, ns, netnsId, pkt, undefined, 'output');
  if (route.kind === 'end') return route;
  if (route.pkt.src !== pkt.src) w.rec.legSource(endpoint(route.pkt.src, route.pkt.sport));
  routed(route.pkt);
  pkt = enter(w, netnsId, { ...route.pkt, oif: outputDevice(route.result) });

  const output = outputHook(w, ns, netnsId, proc, pkt, route.result);
  if ('kind' in output) return output;
  const { out } = output;
  const post = hook(w, ns, netnsId, 'postrouting', { ...out.pkt, oif: outputDevice(output.route) }, { owner: proc });
  if (post.end) return post.end;
  const natDst = out.nat ? { ip: pkt.dst, port: pkt.dport } : undefined;

  if (output.route.kind === 'local') {
    // Loopback: the packet re-enters this netns through lo. NAT was settled at OUTPUT/POSTROUTING for this connection.
    return deliverLocal(w, ns, netnsId, { ...post.pkt, iif: 'lo', oif: undefined }, natDst, { reentry: true, tproxy: out.tproxy });
  }
  return forwardOut(w, ns, netnsId, node, post.pkt, output.route, 0);
}

/** Where OUTPUT stops to re-route: after base chains [start, end) of `baseChains` order, if `changed`. */
interface RerouteStop {
  start: number;
  end: number;
  why: string;
  changed: (before: Packet, after: Packet) => boolean;
}

/**
 * The kernel re-routes inside OUTPUT, not after it: a route chain (iptables' mangle OUTPUT is one)
 * that changed the mark or an address re-routes as it returns (`ipt_mangle_out`,
 * `nf_route_table_hook4`), and the nat core re-routes once NAT has changed the destination address,
 * not for a port alone (`nf_nat_ipv4_local_fn`). A re-route that fails drops the packet before the
 * later chains (filter OUTPUT) see it; one that succeeds decides POSTROUTING and where the packet goes,
 * while the later OUTPUT chains keep matching `-o` against the device the hook began with.
 */
function rerouteStops(bases: ReturnType<typeof baseChains>): RerouteStop[] {
  const stops: RerouteStop[] = [];
  bases.forEach((b, i) => {
    if (b.chain.base!.type !== 'route') return;
    stops.push({
      start: i, end: i + 1, why: `rerouted after ${b.chain.table}/${b.chain.name} changed the packet`,
      changed: (x, y) => x.mark !== y.mark || x.src !== y.src || x.dst !== y.dst,
    });
  });
  const nat = bases.flatMap((b, i) => (b.chain.base!.type === 'nat' ? [i] : []));
  if (nat.length > 0) {
    stops.push({ start: nat[0], end: nat.at(-1)! + 1, why: 'rerouted after nat OUTPUT changed the destination', changed: (x, y) => x.dst !== y.dst });
  }
  return stops.sort((x, y) => x.start - y.start);
}

function outputHook(w: Walk, ns: NetnsData, netnsId: string, proc: Process, pkt: Packet, routed: Routed): { out: HookOutcome; route: Routed } | Ended {
  const bases = baseChains(rulesetsFor(ns, pkt), 'output', ipFamily(pkt.dst) ?? 4);
  let out: HookOutcome = { pkt };
  let route = routed;
  let from = 0;
  const run = (to: number): Ended | undefined => {
    if (to <= from) return undefined;
    out = hook(w, ns, netnsId, 'output', out.pkt, { owner: proc, window: [from, to], resume: out.res, routedLocal: route.kind === 'local' });
    from = to;
    return out.end;
  };
  for (const stop of rerouteStops(bases)) {
    if (stop.start < from) continue;
    const ended = run(stop.start);
    if (ended) return ended;
    const before = out.pkt;
    const stopped = run(stop.end);
    if (stopped) return stopped;
    if (!stop.changed(before, out.pkt)) continue;
    const again = lookup(w, ns, netnsId, out.pkt, undefined, 'output', stop.why);
    if (again.kind === 'end') return again;
    // the hook's output device was fixed when OUTPUT began (`__ip_local_out` passes the first route's
    // device as `state->out`): later OUTPUT chains still see it; POSTROUTING sees the new one
    route = again.result;
  }
  const ended = run(bases.length);
  if (ended) return ended;
  return { out, route };
}

/** A packet arrives on `iif` in `netnsId` (from a veth peer, a tunnel or the node's uplink). */
function receive(w: Walk, netnsId: string, arriving: Packet, crossings: number): Accepted | Ended {
  if (crossings > MAX_NETNS_CROSSINGS) return { kind: 'end', verdict: 'unknown', reason: `the packet crossed ${crossings} network namespaces: a forwarding loop` };
  const ns = w.world.netns(netnsId);
  const node = w.world.nodeOf(netnsId);
  if (!ns) return { kind: 'end', verdict: 'unknown', reason: `the packet reaches ${netnsId}, which the snapshot does not hold` };
  noteMissingRules(w, ns, netnsId, arriving);
  const pkt = enter(w, netnsId, arriving);

  const pre = hook(w, ns, netnsId, 'prerouting', pkt, {});
  if (pre.end) return pre.end;
  const route = lookup(w, ns, netnsId, pre.pkt, pre.pkt.iif, 'input');
  if (route.kind === 'end') return route;
  const natDst = pre.nat ? { ip: pkt.dst, port: pkt.dport } : undefined;
  if (route.result.kind === 'local') return deliverLocal(w, ns, netnsId, pre.pkt, natDst, { reentry: false, tproxy: pre.tproxy, prerouted: true });

  const fwd = hook(w, ns, netnsId, 'forward', { ...pre.pkt, oif: route.result.dev }, {});
  if (fwd.end) return fwd.end;
  const post = hook(w, ns, netnsId, 'postrouting', fwd.pkt, {});
  if (post.end) return post.end;
  return forwardOut(w, ns, netnsId, node, post.pkt, route.result, crossings);
}

function forwardOut(w: Walk, ns: NetnsData, netnsId: string, node: string | undefined, pkt: Packet, route: Extract<RouteResult, { kind: 'unicast' }>, crossings: number): Accepted | Ended {
  leave(w, netnsId, pkt);
  const next = transit(w, ns, netnsId, node, pkt, route);
  if (next.kind === 'end') return next;
  return receive(w, next.netns, next.pkt, crossings + 1);
}

interface LocalOpts {
  reentry: boolean;
  tproxy?: HookResult['tproxy'];
  prerouted?: boolean;
}

function deliverLocal(w: Walk, ns: NetnsData, netnsId: string, pkt: Packet, natDst: { ip: string; port: number } | undefined, o: LocalOpts): Accepted | Ended {
  let tproxy = o.tproxy;
  let current = pkt;
  if (o.reentry) {
    const pre = hook(w, ns, netnsId, 'prerouting', current, { skipNat: true });
    if (pre.end) return pre.end;
    current = pre.pkt;
    tproxy = pre.tproxy ?? tproxy;
  }
  const input = hook(w, ns, netnsId, 'input', current, { skipNat: o.reentry });
  if (input.end) return input.end;
  current = input.pkt;
  leave(w, netnsId, current);
  const est = established(w);
  if (est) return reachHolder(w, est, ns, netnsId, current);
  const acceptor = acceptorFor(w, ns, netnsId, current, tproxy);
  if (!acceptor) {
    const what = tproxy ? `TPROXY to port ${tproxy.port} found no socket` : `nothing listens on ${current.dst}:${current.dport}`;
    w.rec.hop({
      component: 'kernel', netns: netnsId, node: w.world.nodeOf(netnsId), where: 'socket lookup', action: tproxy ? 'DROP (no transparent socket)' : 'RST (connection refused)',
      before: current, evidence: socketsEvidence(ns),
    });
    return { kind: 'end', verdict: 'dropped', reason: `${what} in ${netnsId}` };
  }
  const originalDst = natDst ?? { ip: pkt.dst, port: pkt.dport };
  return { kind: 'accepted', netns: netnsId, acceptor, pkt: current, originalDst };
}

/**
 * A later packet delivered locally belongs to the socket whose connection it carries (TPROXY and
 * socket lookups find an established socket before any listener); anywhere else no socket holds the
 * connection, and the stray packet is answered with a reset.
 */
function reachHolder(w: Walk, est: Established, ns: NetnsData, netnsId: string, pkt: Packet): Ended {
  const h = est.holder;
  const at = endpoint(pkt.dst, pkt.dport);
  if (holds(h, netnsId, pkt)) return { kind: 'end', verdict: 'delivered', reason: `reaches the connection's socket ${at} in ${netnsId}` };
  w.rec.hop({
    component: 'kernel', netns: netnsId, node: w.world.nodeOf(netnsId), where: 'socket lookup', action: `RST (no socket holds ${at})`,
    before: pkt, evidence: socketsEvidence(ns),
    note: `the connection's socket is ${endpoint(h.ip, h.port)} in ${h.netns}`,
  });
  return { kind: 'end', verdict: 'dropped', reason: `delivered to ${at} in ${netnsId}, where no socket holds the connection (its socket is ${endpoint(h.ip, h.port)} in ${h.netns})` };
}

/** A packet enters a netns or leaves its socket: the SYN makes the conntrack entry, a later packet finds it and its connmark. */
function enter(w: Walk, netnsId: string, pkt: Packet): Packet {
  const c = w.conn;
  if (!c) return pkt;
  if (c.stage === 'SYN') {
    c.ct.begin(netnsId, pkt);
    return pkt;
  }
  c.entry = entryFor(c, netnsId, pkt);
  return { ...pkt, connmark: c.entry?.connmark ?? 0 };
}

/** The packet leaves the netns or is delivered in it: the entry keeps what NAT and CONNMARK did. */
function leave(w: Walk, netnsId: string, pkt: Packet): void {
  const c = w.conn;
  if (c?.stage === 'SYN') c.ct.end(netnsId, pkt);
  else if (c?.entry) c.entry.connmark = pkt.connmark;
}

/**
 * The whole socket list is the evidence; it is cited from its first line, which an empty list also
 * has. Without the list, the file is named as missing.
 */
function socketsEvidence(ns: NetnsData): Evidence[] {
  const file = `${ns.dir}/sockets.txt`;
  if (!ns.sockets) return [{ file, missing: true }];
  return [{ file, line: 1, text: `${ns.sockets.length} listening sockets, none matches` }];
}

/** The walk's packet when it is a later packet of a tracked connection, not its SYN. */
function established(w: Walk): Established | undefined {
  return w.conn?.stage === 'SYN' ? undefined : w.conn;
}

interface HookOutcome {
  pkt: Packet;
  end?: Ended;
  tproxy?: HookResult['tproxy'];
  nat?: HookResult['nat'];
  /** The evaluation itself, for a later window of the same hook to resume from. */
  res?: HookResult;
}

function rulesetsFor(ns: NetnsData, pkt: Packet): Ruleset[] {
  const v6 = ipFamily(pkt.dst) === 6;
  const out: Ruleset[] = [];
  const ipt = v6 ? ns.ip6tables : ns.iptables;
  if (ipt) out.push(ipt);
  if (ns.nftables) out.push(ns.nftables);
  return out;
}

function nfContext(w: Walk, ns: NetnsData, netnsId: string, owner?: Process): NfContext {
  const addrs = ns.addrs ?? [];
  const est = established(w);
  const listening = ns.sockets ? (p: Packet) => {
    const s = findListener(ns.sockets!, p.dst, p.dport);
    return { found: s !== undefined, ...(s?.mark !== undefined ? { mark: s.mark } : {}) };
  } : undefined;
  return {
    ipsets: ns.ipsets,
    localAddrs: addrs.map((a) => a.local),
    ifaceAddr: (ifname: string, family?: 4 | 6) => addrs.find((a) => a.ifname === ifname && (!family || a.family === family))?.local,
    // an established socket is found before any listener
    socketLookup: est ? (p: Packet) => (holds(est.holder, netnsId, p) ? { found: true, transparent: est.holder.transparent } : listening?.(p)) : listening,
    owner: owner ? { uid: owner.uid, gid: owner.gid } : undefined,
    decide: (rule: Rule) => w.choices.statistic(rule),
    ...(est ? { ctstate: ctStates(est) } : {}),
  };
}

/** `routedLocal`: the packet's route at OUTPUT is local (INPUT's always is), which decides where a REJECT's ICMP error comes from. */
type HookOpts = { owner?: Process; skipNat?: boolean; routedLocal?: boolean } & Pick<HookOptions, 'window' | 'resume'>;

/**
 * Runs one netfilter hook and records a hop for every rule that did something to the packet. A later
 * packet of a tracked connection skips the nat chains; the nat core rewrites it from the conntrack
 * entry instead, at its own priority among the base chains.
 */
function hook(w: Walk, ns: NetnsData, netnsId: string, h: Hook, pkt: Packet, o: HookOpts): HookOutcome {
  const est = established(w);
  // an untracked SYN-ACK is INVALID, which nat chains never see; an untracked ACK is picked up as NEW
  if (!est?.entry) return runHook(w, ns, netnsId, h, pkt, est?.stage === 'SYN-ACK' ? { ...o, skipNat: true } : o);
  const opts = { ...o, skipNat: true };
  const rewrite = natRewrite(est, h);
  const bases = baseChains(rulesetsFor(ns, pkt), h, ipFamily(pkt.dst) ?? 4);
  const [from, to] = o.window ?? [0, bases.length];
  let at = bases.findIndex((b) => b.order[0] >= natCorePriority(h));
  if (at < 0) at = bases.length;
  if (!rewrite || at < from || at > to || (at === to && to < bases.length)) return runHook(w, ns, netnsId, h, pkt, opts);
  const before = runHook(w, ns, netnsId, h, pkt, { ...opts, window: [from, at] });
  if (before.end) return before;
  const rewritten = { ...before.pkt, ...rewrite };
  if (!sameTuple(rewritten, before.pkt)) {
    const what = 'dst' in rewrite ? `destination → ${endpoint(rewritten.dst, rewritten.dport)}` : `source → ${endpoint(rewritten.src, rewritten.sport)}`;
    w.rec.hop({
      component: 'kernel', netns: netnsId, node: w.world.nodeOf(netnsId), where: `conntrack ${h}`,
      action: `${est.stage === 'SYN-ACK' ? 'undo' : 'repeat'} the connection's NAT: ${what}`, before: before.pkt, after: rewritten, evidence: est.entry.nat,
    });
  }
  return runHook(w, ns, netnsId, h, rewritten, { ...opts, window: [at, to], resume: before.res });
}

function runHook(w: Walk, ns: NetnsData, netnsId: string, h: Hook, pkt: Packet, o: HookOpts): HookOutcome {
  const rulesets = rulesetsFor(ns, pkt);
  if (rulesets.length === 0) return { pkt };
  const res = evaluateHook(rulesets, h, pkt, nfContext(w, ns, netnsId, o.owner), { skipNat: o.skipNat, window: o.window, resume: o.resume });
  if (res.nat && w.conn?.stage === 'SYN') {
    const entry = w.conn.ct.entries.get(netnsId);
    if (entry && !entry.nat.includes(res.nat.rule.evidence)) entry.nat.push(res.nat.rule.evidence);
  }
  const node = w.world.nodeOf(netnsId);
  const hopsBefore = w.rec.lastHop;
  const hopOf = new Map<number, number>();
  res.steps.forEach((step, i) => {
    const a = step.action;
    if (!a || a.kind === 'jump' || a.kind === 'goto' || a.kind === 'counter' || a.kind === 'log' || a.kind === 'trace' || a.kind === 'return') return;
    w.rec.hop({
      component: 'kernel', netns: netnsId, node, where: `${backendOf(rulesets, step.rule)} ${step.chainPath.join(' → ')}`,
      action: describeAction(a, step.rule), before: step.before, after: step.after, evidence: [step.rule.evidence],
    });
    hopOf.set(i, w.rec.lastHop);
  });
  for (const tie of res.ties ?? []) {
    const [first, ...rest] = tie.chains.map((c) => `${c.family} ${c.table} ${c.name}`);
    const prio = tie.chains[0].base!.priority;
    w.rec.finding({
      code: 'ambiguous-order', severity: 'warning',
      message: `${[first, ...rest].join(' and ')} share ${h} priority ${prio} in ${netnsId}: the kernel runs the one registered last first, which the snapshot does not show; this trace runs ${first} first`,
      hops: [...new Set(tie.steps.map((i) => hopOf.get(i) ?? Math.max(1, w.rec.lastHop)))],
      evidence: tie.chains.map((c) => c.evidence),
      fix: 'let only one of these chains act on this traffic, or give them different priorities so that their order is fixed',
    });
  }
  if (res.policy && res.verdict !== 'accept') {
    w.rec.hop({ component: 'kernel', netns: netnsId, node, where: `${h} policy`, action: `${res.policy.chain.table}/${res.policy.chain.name} policy ${res.verdict.toUpperCase()}`, before: pkt, after: res.packet, evidence: [res.policy.chain.evidence] });
  }
  for (const u of res.unsupported) {
    w.rec.finding({
      code: 'unsupported', severity: 'warning', message: `${u.text} is not understood; it could change this path`,
      hops: w.rec.lastHop > hopsBefore ? [w.rec.lastHop] : [Math.max(1, w.rec.lastHop)], evidence: [u.rule.evidence],
    });
  }
  for (const rule of res.decisions) w.choices.seen(rule);
  if (res.loop) {
    w.rec.finding({ code: 'jump-loop', severity: 'error', message: `jump loop between ${res.loop.chains.join(' and ')}`, hops: [Math.max(1, w.rec.lastHop)], evidence: [] });
    return { pkt: res.packet, end: { kind: 'end', verdict: 'unknown', reason: `netfilter jump loop in ${netnsId} (${res.loop.chains.join(' → ')})` } };
  }
  if (res.verdict !== 'accept') {
    const step = res.steps.at(-1);
    const by = step ? `${step.rule.evidence.file}:${step.rule.evidence.line ?? step.rule.evidence.pointer}` : `the ${h} policy`;
    const unsent = res.verdict === 'reject' ? unsentError(ns, h, res.packet, step?.action, o.routedLocal) : undefined;
    if (unsent) return { pkt: res.packet, end: { kind: 'end', verdict: 'dropped', reason: `dropped in ${netnsId} at ${h} by ${by}: ${unsent}` } };
    return { pkt: res.packet, end: { kind: 'end', verdict: 'dropped', reason: `${res.verdict === 'reject' ? 'rejected' : 'dropped'} in ${netnsId} at ${h} by ${by}` } };
  }
  return { pkt: res.packet, tproxy: res.tproxy, nat: res.nat, res };
}

/**
 * Why a REJECT's ICMP error never leaves, if it does not. The error comes from the rejected packet's
 * destination when that packet was routed locally (`__icmp_send`), and routing it back needs that
 * source to be an address of this netns (`__ip_dev_find`: an interface's address or a local route of
 * the local table); a local route of another table (TPROXY's `local default dev lo`) does not make
 * one. A TCP reset is routed with any source (`FLOWI_FLAG_ANYSRC`), so it always goes.
 */
function unsentError(ns: NetnsData, h: Hook, pkt: Packet, action: Action | undefined, routedLocal: boolean | undefined): string | undefined {
  const reset = action?.kind === 'reject' && action.with === 'tcp-reset';
  const local = h === 'input' || (h === 'output' && routedLocal);
  if (reset || !local || isOwnAddress(ns, pkt.dst)) return undefined;
  return `REJECT's ICMP error would come from ${pkt.dst}, which is not an address of this netns, so none is sent and the sender sees silence`;
}

function isOwnAddress(ns: NetnsData, ip: string): boolean {
  return (ns.addrs ?? []).some((a) => a.local === ip) || (ns.routes ?? []).some((r) => r.table === 255 && r.type === 'local' && cidrContains(r.dst, ip));
}

function backendOf(rulesets: Ruleset[], rule: Rule): string {
  const rs = rulesets.find((r) => r.chains.has(rule.chain));
  return rs?.backend ?? 'netfilter';
}

type Routed = Extract<RouteResult, { kind: 'local' | 'unicast' }>;

/** `pkt` is the packet as routed: a socket without a bound address gets the route's source here. */
type Lookup = { kind: 'ok'; result: Routed; pkt: Packet } | Ended;

/** Routing decision, recorded as one hop with the ip rule and route that decided it. */
function lookup(w: Walk, ns: NetnsData, netnsId: string, pkt: Packet, iif: string | undefined, dir: 'input' | 'output', why?: string): Lookup {
  const node = w.world.nodeOf(netnsId);
  if (!ns.routes) {
    w.rec.hop({
      component: 'kernel', netns: netnsId, node, where: 'routing', action: 'routes not captured: assumed delivered onward', before: pkt,
      evidence: [{ file: `${ns.dir}/ip-route.json`, missing: true }],
    });
    return { kind: 'end', verdict: 'unknown', reason: `${netnsId} has no ip-route.json; the path cannot be followed further` };
  }
  const r = routeLookup({ rules: ns.rules ?? [], routes: ns.routes, addrs: ns.addrs ?? [] }, { dst: pkt.dst, src: dir === 'input' ? pkt.src : undefined, mark: pkt.mark, iif });
  const evidence: Evidence[] = [];
  if ('rule' in r && r.rule) evidence.push(r.rule.evidence);
  if ('route' in r && r.route) evidence.push(r.route.evidence);
  if (!ns.rules) evidence.push({ file: `${ns.dir}/ip-rule.json`, missing: true });
  const where = `routing${routingWhere(r)}`;
  if (r.kind === 'local' || r.kind === 'unicast') {
    if (dir === 'output' && (!pkt.src || pkt.src === '0.0.0.0')) pkt = { ...pkt, src: sourceAddress(ns, r) ?? pkt.src };
    const action = r.kind === 'local' ? `local delivery (${r.route.dst}${r.route.dev ? ` dev ${r.route.dev}` : ''})` : `forward via ${r.gateway ?? 'direct'} dev ${r.dev}`;
    const martian = loopbackMisuse(pkt, r, dir, iif);
    if (martian) {
      w.rec.hop({ component: 'kernel', netns: netnsId, node, where, action: `refused: ${martian}`, before: pkt, evidence, note: 'route_localnet is off unless set; the snapshot does not hold sysctls' });
      // a refused first route fails connect() at once; a refused re-route after OUTPUT, or a martian on input, drops the packet
      if (dir === 'output' && !why) return { kind: 'end', verdict: 'no-route', reason: `no route to ${pkt.dst} in ${netnsId}: ${martian}` };
      return { kind: 'end', verdict: 'dropped', reason: `dropped in ${netnsId}: ${martian}` };
    }
    w.rec.hop({ component: 'kernel', netns: netnsId, node, where, action, before: pkt, evidence, status: !ns.rules ? 'inferred' : undefined, note: why });
    return { kind: 'ok', result: r, pkt };
  }
  w.rec.hop({ component: 'kernel', netns: netnsId, node, where, action: r.kind === 'no-route' ? 'no route' : r.kind, before: pkt, evidence, note: why });
  const noRoute = `no route to ${pkt.dst} in ${netnsId}${r.kind === 'no-route' ? '' : ` (${r.kind} route)`}`;
  // ip_route_me_harder failing after OUTPUT changed the packet is an NF_DROP: the sender sees silence, not an error
  if (why) return { kind: 'end', verdict: 'dropped', reason: `dropped in ${netnsId}: re-routing after OUTPUT found ${noRoute}` };
  return { kind: 'end', verdict: r.kind === 'no-route' ? 'no-route' : 'dropped', reason: noRoute };
}

const isLoopback = (ip: string): boolean => cidrContains('127.0.0.0/8', ip) || cidrContains('::1/128', ip);

/**
 * Loopback addresses stay on lo: the kernel refuses to route a packet with a loopback source out of
 * another device (`__mkroute_output`: -EINVAL) and drops one arriving on another device with a
 * loopback source or destination as martian (`ip_route_input_slow`), unless route_localnet is set.
 */
function loopbackMisuse(pkt: Packet, r: Extract<RouteResult, { kind: 'local' | 'unicast' }>, dir: 'input' | 'output', iif: string | undefined): string | undefined {
  if (dir === 'output') {
    const dev = outputDevice(r);
    return isLoopback(pkt.src) && dev !== 'lo' ? `loopback source ${pkt.src} cannot leave through ${dev}` : undefined;
  }
  if (iif === 'lo' || iif === undefined) return undefined;
  if (isLoopback(pkt.dst)) return `martian destination ${pkt.dst} arriving on ${iif}`;
  if (isLoopback(pkt.src)) return `martian source ${pkt.src} arriving on ${iif}`;
  return undefined;
}

/** `(ip rule 101, table 101)`: which policy rule sent the lookup to which table. */
function routingWhere(r: RouteResult): string {
  const table = 'table' in r ? r.table : undefined;
  const rule = 'rule' in r ? r.rule : undefined;
  if (rule && table !== undefined) return ` (ip rule ${rule.priority}, table ${tableName(table)})`;
  return table !== undefined ? ` (table ${tableName(table)})` : '';
}

/**
 * The device `-o`/`oifname` sees from OUTPUT on: the route's device, and `lo` for every local
 * destination, because the kernel hands locally delivered packets to the loopback device whatever
 * device holds the address.
 */
function outputDevice(r: Extract<RouteResult, { kind: 'local' | 'unicast' }>): string | undefined {
  return r.kind === 'local' ? 'lo' : r.dev;
}

function tableName(t: number): string {
  return t === 254 ? 'main' : t === 255 ? 'local' : t === 253 ? 'default' : String(t);
}

function sourceAddress(ns: NetnsData, r: Extract<RouteResult, { kind: 'local' | 'unicast' }>): string | undefined {
  if (r.kind === 'unicast' && r.src) return r.src;
  if (r.route.prefsrc) return r.route.prefsrc;
  const dev = r.kind === 'unicast' ? r.dev : r.route.dev;
  return ns.addrs?.find((a) => a.ifname === dev && a.family === 4)?.local;
}

/** Once per netns visit: say so when its rules were not captured, since capture would change everything. */
function noteMissingRules(w: Walk, ns: NetnsData, netnsId: string, pkt: Packet): void {
  if (ns.iptables || ns.nftables || ns.ip6tables) return;
  const missing = ns.missing.filter((f) => f.endsWith('iptables-save.txt') || f.endsWith('nft.json'));
  if (missing.length < 2) return;
  w.rec.hop({
    component: 'kernel', netns: netnsId, node: w.world.nodeOf(netnsId), where: 'netfilter', action: 'no rules captured: assumed none',
    before: pkt, evidence: missing.map((file) => ({ file, missing: true as const })),
  });
}
