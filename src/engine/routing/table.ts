import type { Route } from '../../model/routing.ts';
import { cidrContainsAddr, parseCidr, type IpAddr } from '../net/cidr.ts';

/** Route types whose match ends the lookup with an error (`fib_props[].error`); `throw` sends it on to the next rule. */
export const ERROR_TYPES: ReadonlySet<Route['type']> = new Set(['blackhole', 'unreachable', 'prohibit', 'throw']);

export interface TableHit {
  route: Route;
  prefixlen: number;
}

/** The kernel's per-table default metric when the dump leaves it out: IPv4 0; IPv6 always prints it. */
const metricOf = (r: Route): number => r.metric ?? 0;

function devices(r: Route): (string | undefined)[] {
  return r.nexthops ? r.nexthops.map((h) => h.dev) : [r.dev];
}

/**
 * `fib_table_lookup`: the longest prefix holding a usable route, lowest metric first. An error type ends the
 * search at its prefix; a route whose next hops all leave by another device than a requested `oif` is skipped,
 * which lets a shorter prefix answer.
 */
export function lookupTable(routes: Route[], table: number, family: 4 | 6, dst: IpAddr, oif?: string): TableHit | undefined {
  const candidates: TableHit[] = [];
  for (const route of routes) {
    if (route.table !== table || route.family !== family) continue;
    const cidr = parseCidr(route.dst);
    if (cidr && cidrContainsAddr(cidr, dst)) candidates.push({ route, prefixlen: cidr.prefix });
  }
  candidates.sort((a, b) => b.prefixlen - a.prefixlen || metricOf(a.route) - metricOf(b.route));
  return candidates.find(({ route }) => ERROR_TYPES.has(route.type) || oif === undefined || devices(route).includes(oif));
}

/** The next hop taken: the first one of a multipath route (the kernel hashes the flow; one deterministic pick). */
export function nexthopOf(route: Route, oif?: string): { dev?: string; gateway?: string } {
  const hop = route.nexthops?.find((h) => oif === undefined || h.dev === oif) ?? route.nexthops?.[0];
  return hop ? { dev: hop.dev, gateway: hop.gateway } : { dev: route.dev, gateway: route.gateway };
}
