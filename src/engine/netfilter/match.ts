import type { AddrType, CtState, Match, Rule, Ruleset } from '../../model/netfilter.ts';
import type { Packet } from '../../model/packet.ts';
import { cidrContains, parseIp, sameIp } from '../net/cidr.ts';
import type { NfContext } from './context.ts';
import { elementHas, ipsetHas } from './sets.ts';

/** Everything a match may look at besides the packet. */
export interface MatchEnv {
  ctx: NfContext;
  family: 4 | 6;
  ruleset: Ruleset;
  states: CtState[];
}

/** A match is true, false, or beyond what the snapshot can tell (its text says why). */
export type MatchResult = boolean | { unknown: string };

export interface RuleOutcome {
  matched: boolean;
  /** Why the rule could not be decided; set only when every decidable match held. */
  unknown: string[];
  /** The rule carries `-m statistic` and everything else held. */
  decision: boolean;
  /** `-m socket --restore-skmark`: the socket's mark to copy onto the packet. */
  skmark?: number;
}

/**
 * Matches run in order and stop at the first false one, as the kernel's do. A match the model
 * cannot decide makes the rule not match (the path then follows what is certain), and is reported
 * so the reader knows the path could differ.
 */
export function ruleOutcome(rule: Rule, pkt: Packet, env: MatchEnv): RuleOutcome {
  const unknown: string[] = [];
  let statistic = false;
  let skmark: number | undefined;
  for (const m of rule.matches) {
    if (m.kind === 'statistic') {
      statistic = true;
      continue;
    }
    const r = matchOne(m, pkt, env);
    if (r === false) return { matched: false, unknown: [], decision: false };
    if (typeof r === 'object') unknown.push(r.unknown);
    if (m.kind === 'socket' && m.restoreSkmark && r === true) skmark = env.ctx.socketLookup?.(pkt, { nowildcard: m.nowildcard })?.mark;
  }
  if (unknown.length) return { matched: false, unknown, decision: false };
  if (!statistic) return { matched: true, unknown, decision: false, ...(skmark !== undefined ? { skmark } : {}) };
  return { matched: env.ctx.decide?.(rule) ?? true, unknown, decision: true, ...(skmark !== undefined ? { skmark } : {}) };
}

export function matchOne(m: Match, pkt: Packet, env: MatchEnv): MatchResult {
  const r = positive(m, pkt, env);
  return typeof r === 'boolean' ? r !== !!m.negate : r;
}

/** The match before its negation. */
function positive(m: Match, pkt: Packet, env: MatchEnv): MatchResult {
  switch (m.kind) {
    case 'proto':
      return m.protos.some((p) => protoIs(p, pkt, env.family));
    case 'nfproto':
      return (m.family === 'ipv4') === (env.family === 4);
    case 'saddr':
      return m.cidrs.some((c) => cidrContains(c, pkt.src));
    case 'daddr':
      return m.cidrs.some((c) => cidrContains(c, pkt.dst));
    case 'iif':
      return m.names.some((n) => ifaceIs(n, pkt.iif));
    case 'oif':
      return m.names.some((n) => ifaceIs(n, pkt.oif));
    case 'sport':
    case 'dport':
      return portMatch(m.kind === 'sport' ? pkt.sport : pkt.dport, m.ranges, pkt, !!m.negate);
    case 'mark':
      return ((pkt.mark & m.masked.mask) >>> 0) === m.masked.value >>> 0;
    case 'connmark':
      if (env.states.includes('UNTRACKED')) return !!m.negate; // xt_connmark: no conntrack entry fails before negation
      return ((pkt.connmark & m.masked.mask) >>> 0) === m.masked.value >>> 0;
    case 'uid':
    case 'gid':
      return ownerMatch(m.kind, m.ranges, env);
    case 'socket-exists':
      return env.ctx.owner !== undefined;
    case 'set':
      return setMatch(m.name, m.dirs, pkt, env);
    case 'addrtype':
      return addrtypeMatch(m, pkt, env);
    case 'ctstate':
      return m.states.some((s) => env.states.includes(s));
    case 'socket':
      return socketMatch(m, pkt, env);
    case 'ctzone':
      return pkt.zone === m.zone;
    case 'physdev':
      return physdevMatch(m);
    case 'comment':
      return true;
    case 'statistic':
      return true; // decided for the whole rule by ruleOutcome
    case 'unsupported':
      return { unknown: m.text };
    default:
      return unknownKind(m);
  }
}

/** A match kind added to the model after this evaluator: undecidable, so reported. */
function unknownKind(m: never): MatchResult {
  return { unknown: `match ${(m as { kind: string }).kind}` };
}

const PROTO_NUMBER: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '132': 'sctp' };

/** The packet model's `icmp` is ICMPv6 on IPv6 packets. */
function protoIs(p: string, pkt: Packet, family: 4 | 6): boolean {
  const name = PROTO_NUMBER[p] ?? p.toLowerCase();
  if (name === 'all' || name === '0') return true;
  if (name === 'ipv6-icmp' || name === 'icmpv6') return family === 6 && pkt.proto === 'icmp';
  if (name === 'icmp') return family === 4 && pkt.proto === 'icmp';
  return name === pkt.proto;
}

/**
 * iptables compares against "" when there is no device (no input device on OUTPUT, none yet
 * for output on PREROUTING); a trailing `+` matches any name with that prefix, "" included for `+`.
 */
function ifaceIs(pattern: string, name: string | undefined): boolean {
  const actual = name ?? '';
  return pattern.endsWith('+') ? actual.startsWith(pattern.slice(0, -1)) : actual === pattern;
}

/**
 * Port matches only exist for TCP, UDP and SCTP (iptables demands `-p tcp`, nft implies it):
 * any other packet fails them whatever the negation, hence the pre-compensation here.
 */
function portMatch(port: number, ranges: [number, number][], pkt: Packet, negate: boolean): boolean {
  if (pkt.proto !== 'tcp' && pkt.proto !== 'udp' && pkt.proto !== 'sctp') return negate;
  return ranges.some(([lo, hi]) => port >= lo && port <= hi);
}

/**
 * xt_owner: without a socket (forwarded or received packets) each test yields false before
 * its negation, so `! --uid-owner` matches them, as in the kernel.
 */
function ownerMatch(kind: 'uid' | 'gid', ranges: [number, number][], env: MatchEnv): boolean {
  const id = kind === 'uid' ? env.ctx.owner?.uid : env.ctx.owner?.gid;
  return id !== undefined && ranges.some(([lo, hi]) => id >= lo && id <= hi);
}

function setMatch(name: string, dirs: ('src' | 'dst')[], pkt: Packet, env: MatchEnv): MatchResult {
  if (env.ruleset.backend === 'nftables') {
    const elems = nftSet(name, env);
    if (!elems) return { unknown: `set ${name} is not in the ruleset` };
    let any = false;
    for (const e of elems) {
      const r = elementHas(e, dirs, pkt);
      if (r === undefined) return { unknown: `set ${name} element "${e}" is not understood` };
      any ||= r;
    }
    return any;
  }
  const set = env.ctx.ipsets?.get(name);
  if (!set) return { unknown: `-m set --match-set ${name} ${dirs.join(',')}: ipset ${name} is not in the snapshot` };
  return ipsetHas(set, dirs, pkt) ?? { unknown: `ipset ${name} has a member that is not understood` };
}

function nftSet(name: string, env: MatchEnv): string[] | undefined {
  const bare = name.startsWith('@') ? name.slice(1) : name;
  const direct = env.ruleset.sets.get(name) ?? env.ruleset.sets.get(bare);
  if (direct) return direct;
  for (const [key, elems] of env.ruleset.sets) if (key.endsWith(`/${bare}`)) return elems;
  return undefined;
}

/**
 * The kernel asks routing for the address type. Without a routing answer from the context, an
 * address of this netns (and the loopback range once lo has an address) is LOCAL, 224/4 and ff00::/8
 * MULTICAST, the all-ones address BROADCAST, the all-zeros one UNSPEC, anything else UNICAST.
 * `--limit-iface-in/out` narrows LOCAL to one interface's addresses; the context lists addresses
 * per netns, so the limit is taken as met (it only differs for an address of another interface).
 */
function addrtypeMatch(m: Extract<Match, { kind: 'addrtype' }>, pkt: Packet, env: MatchEnv): boolean {
  const ok = (types: AddrType[] | undefined, ip: string): boolean => !types || types.includes(addrTypeOf(ip, env));
  return ok(m.src, pkt.src) && ok(m.dst, pkt.dst);
}

export function addrTypeOf(ip: string, env: MatchEnv): AddrType {
  const routed = env.ctx.addrType?.(ip);
  if (routed) return routed;
  const a = parseIp(ip);
  if (!a) return 'UNICAST';
  if (env.ctx.localAddrs.some((l) => sameIp(l, ip))) return 'LOCAL';
  const loopbackUp = env.ctx.localAddrs.some((l) => cidrContains(a.family === 4 ? '127.0.0.0/8' : '::1/128', l));
  if (loopbackUp && cidrContains(a.family === 4 ? '127.0.0.0/8' : '::1/128', ip)) return 'LOCAL';
  if (cidrContains(a.family === 4 ? '224.0.0.0/4' : 'ff00::/8', ip)) return 'MULTICAST';
  if (a.family === 4 && ip === '255.255.255.255') return 'BROADCAST';
  if (a.value === 0n) return 'UNSPEC';
  return 'UNICAST';
}

/** xt_socket: a matching socket exists (transparent when asked); unknown when the context cannot look sockets up. */
function socketMatch(m: Extract<Match, { kind: 'socket' }>, pkt: Packet, env: MatchEnv): MatchResult {
  const found = env.ctx.socketLookup?.(pkt, { nowildcard: m.nowildcard });
  if (!found) return { unknown: '-m socket: no socket table for this netns' };
  if (!found.found) return false;
  if (!m.transparent) return true;
  return found.transparent ?? { unknown: '-m socket --transparent: whether the socket is transparent is not known' };
}

/**
 * The packet model carries no bridge information, so packets are taken as not bridged: xt_physdev
 * then matches only when its options are negated.
 */
function physdevMatch(m: Extract<Match, { kind: 'physdev' }>): boolean {
  return m.in === undefined && m.out === undefined && !m.isBridged;
}
