import type { EnvoyConfig, FilterChain, Listener } from '../../model/envoy.ts';
import { cidrContainsAddr, parseCidr, parseIp, sameIp } from '../net/cidr.ts';
import type { ConnFacts } from './facts.ts';
import { evalChainMatcher, isLocalSource } from './matcher.ts';

const WILDCARDS = ['0.0.0.0', '::'];

function isWildcard(ip: string): boolean {
  return WILDCARDS.some((w) => sameIp(w, ip));
}

/** The listener whose bound socket accepts a connection on `port` (a socket on the exact address wins over a wildcard one). */
export function acceptingListener(cfg: EnvoyConfig, port: number, ip?: string): Listener | undefined {
  const bound = cfg.listeners.filter((l) => l.bindToPort && l.address?.port === port);
  return (ip !== undefined ? bound.find((l) => sameIp(l.address!.ip, ip)) : undefined) ?? bound.find((l) => isWildcard(l.address!.ip));
}

/** `use_original_dst`: the listener owning the original destination (exact address, then wildcard); undefined keeps the accepting one. */
export function originalDstListener(cfg: EnvoyConfig, dst: { ip: string; port: number }): Listener | undefined {
  const same = cfg.listeners.filter((l) => l.address?.port === dst.port);
  return same.find((l) => sameIp(l.address!.ip, dst.ip)) ?? same.find((l) => isWildcard(l.address!.ip));
}

export function internalListener(cfg: EnvoyConfig, name: string): Listener | undefined {
  return cfg.listeners.find((l) => l.name === name && l.internal) ?? cfg.listeners.find((l) => l.name === name && !l.address);
}

export type ChainChoice = { chain: FilterChain; via: 'filter_chain_match' | 'filter_chain_matcher' | 'default_filter_chain' } | { chain?: undefined; reason: string };

/** Envoy's filter chain selection; with `filter_chain_matcher` the matcher alone decides. */
export function selectFilterChain(l: Listener, f: ConnFacts): ChainChoice {
  if (l.filterChainMatcher) {
    const name = evalChainMatcher(l.filterChainMatcher, f);
    const chain = name === undefined ? undefined : l.filterChains.find((c) => c.name === name);
    if (chain) return { chain, via: 'filter_chain_matcher' };
    if (name !== undefined) return { reason: `filter_chain_matcher selected ${name}, which is not a filter chain of ${l.name}` };
  } else {
    const chain = matchChains(l.filterChains, f);
    if (chain) return { chain, via: 'filter_chain_match' };
  }
  if (l.defaultFilterChain) return { chain: l.defaultFilterChain, via: 'default_filter_chain' };
  return { reason: `no filter chain of ${l.name} matches ${describeFacts(f)} and it has no default_filter_chain: Envoy closes the connection` };
}

function describeFacts(f: ConnFacts): string {
  const dst = f.dst ? `${f.dst.ip}:${f.dst.port}` : 'an unrestored local address';
  return `${dst} ${f.transportProtocol}${f.applicationProtocols.length ? ` alpn ${f.applicationProtocols.join(',')}` : ''}${f.serverName ? ` sni ${f.serverName}` : ''}`;
}

/** A criterion's specificity for this connection: -1 excludes the chain, higher wins, 0 is "not set". */
type Level = (c: FilterChain, f: ConnFacts) => number;

const LEVELS: Level[] = [
  (c, f) => (c.match.destinationPort === undefined ? 0 : c.match.destinationPort === f.dst?.port ? 1 : -1),
  (c, f) => prefixScore(c.match.prefixRanges, f.dst?.ip),
  (c, f) => serverNameScore(c.match.serverNames, f.serverName),
  (c, f) => (c.match.transportProtocol === undefined ? 0 : c.match.transportProtocol === f.transportProtocol ? 1 : -1),
  (c, f) => (c.match.applicationProtocols === undefined ? 0 : c.match.applicationProtocols.some((p) => f.applicationProtocols.includes(p)) ? 1 : -1),
  (c, f) => prefixScore(c.match.directSourcePrefixRanges, f.srcIp),
  (c, f) => sourceTypeScore(c.match.sourceType, f),
  (c, f) => prefixScore(c.match.sourcePrefixRanges, f.srcIp),
  (c, f) => (c.match.sourcePorts === undefined ? 0 : f.srcPort !== undefined && c.match.sourcePorts.includes(f.srcPort) ? 1 : -1),
];

/**
 * Level by level, only the chains with the most specific matching value go on; Envoy never backtracks,
 * so a level that none of them passes means no match at all.
 */
function matchChains(chains: FilterChain[], f: ConnFacts): FilterChain | undefined {
  let cands = chains;
  for (const level of LEVELS) {
    const scored = cands.map((c) => ({ c, s: level(c, f) })).filter((x) => x.s >= 0);
    if (!scored.length) return undefined;
    const best = Math.max(...scored.map((x) => x.s));
    cands = scored.filter((x) => x.s === best).map((x) => x.c);
  }
  return cands[0];
}

/** An unset range list is Envoy's 0.0.0.0/0 and ::/0; a matching explicit range scores its prefix length. */
function prefixScore(ranges: string[] | undefined, ip: string | undefined): number {
  if (!ranges) return 0;
  const addr = ip === undefined ? undefined : parseIp(ip);
  if (!addr) return -1;
  let best = -1;
  for (const r of ranges) {
    const c = parseCidr(r);
    if (c && cidrContainsAddr(c, addr)) best = Math.max(best, c.prefix);
  }
  return best;
}

/** Exact name first, then the longest matching `*.suffix`. */
function serverNameScore(names: string[] | undefined, sni: string | undefined): number {
  if (!names) return 0;
  if (sni === undefined) return -1;
  const host = sni.toLowerCase();
  if (names.some((n) => n.toLowerCase() === host)) return 100000;
  const wild = names.filter((n) => n.startsWith('*.') && host.endsWith(n.slice(1).toLowerCase())).map((n) => n.length);
  return wild.length ? Math.max(...wild) : -1;
}

function sourceTypeScore(type: string | undefined, f: ConnFacts): number {
  if (type === undefined || type === 'ANY') return 0;
  if (type === 'SAME_IP_OR_LOOPBACK') return isLocalSource(f) ? 1 : -1;
  if (type === 'EXTERNAL') return isLocalSource(f) ? -1 : 1;
  return -1;
}
