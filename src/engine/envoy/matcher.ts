import type { ChainMatcher, MatcherOnMatch } from '../../model/envoy.ts';
import { cidrContainsAddr, parseCidr, parseIp } from '../net/cidr.ts';
import type { ConnFacts } from './facts.ts';

/** Evaluates a unified `filter_chain_matcher`: the filter chain name it selects, or undefined. */
export function evalChainMatcher(m: ChainMatcher, f: ConnFacts): string | undefined {
  return fromTree(m, f) ?? resolve(m.onNoMatch, f);
}

function resolve(om: MatcherOnMatch | undefined, f: ConnFacts): string | undefined {
  if (!om) return undefined;
  return 'action' in om ? om.action : evalChainMatcher(om.matcher, f);
}

function fromTree(m: ChainMatcher, f: ConnFacts): string | undefined {
  const value = inputValue(m, f);
  if (value === undefined) return undefined;
  if (m.exact) return resolve(m.exact.get(value), f);
  if (m.prefix) {
    const keys = [...m.prefix.keys()].filter((k) => value.startsWith(k)).sort((a, b) => b.length - a.length);
    for (const k of keys) {
      const hit = resolve(m.prefix.get(k), f);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  return m.ranges ? fromRanges(m.ranges, value, f) : undefined;
}

/** IPMatcher: the most specific range first; a failed nested matcher falls back to less specific ranges unless exclusive. */
function fromRanges(ranges: NonNullable<ChainMatcher['ranges']>, value: string, f: ConnFacts): string | undefined {
  const ip = parseIp(value);
  if (!ip) return undefined;
  const hits = ranges
    .map((r) => ({ r, len: Math.max(-1, ...r.cidrs.map((c) => parseCidr(c)).map((c) => (c && cidrContainsAddr(c, ip) ? c.prefix : -1))) }))
    .filter((h) => h.len >= 0)
    .sort((a, b) => b.len - a.len);
  for (const { r } of hits) {
    const hit = resolve(r.onMatch, f);
    if (hit !== undefined || r.exclusive) return hit;
  }
  return undefined;
}

function inputValue(m: ChainMatcher, f: ConnFacts): string | undefined {
  switch (m.input) {
    case 'destination-ip':
      return f.dst?.ip;
    case 'destination-port':
      return f.dst ? String(f.dst.port) : undefined;
    case 'source-ip':
    case 'direct-source-ip':
      return f.srcIp;
    case 'source-port':
      return f.srcPort === undefined ? undefined : String(f.srcPort);
    case 'source-type':
      return isLocalSource(f) ? 'local' : undefined;
    case 'server-name':
      return f.serverName;
    case 'transport-protocol':
      return f.transportProtocol;
    case 'application-protocol':
      return f.applicationProtocols.length ? f.applicationProtocols.map((p) => `'${p}'`).join(',') : undefined;
    default:
      return undefined;
  }
}

export function isLocalSource(f: ConnFacts): boolean {
  return /^127\./.test(f.srcIp) || f.srcIp === '::1' || (f.dst !== undefined && f.dst.ip === f.srcIp);
}
