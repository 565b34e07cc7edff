import type { Evidence } from '../../model/evidence.ts';
import type { Address, IpRule, Route } from '../../model/routing.ts';
import { TABLE_MAIN } from '../../model/routing.ts';
import { cidrContainsAddr, parseCidr, parseIp, type IpAddr } from '../net/cidr.ts';
import { defaultRules, ruleMatches, type RuleFlow } from './rules.ts';
import { ERROR_TYPES, lookupTable, nexthopOf } from './table.ts';

export interface RouteQuery {
  dst: string;
  src?: string;
  mark: number;
  /** Incoming device; undefined = locally generated (the kernel then matches rules as if it came in on `lo`). */
  iif?: string;
  /** Device a local socket is bound to. */
  oif?: string;
  /** IP protocol number, for `ipproto` rules (6 tcp, 17 udp). */
  proto?: number;
  sport?: number;
  dport?: number;
}

export type RouteResult =
  | { kind: 'local'; rule: IpRule | undefined; table: number; route: Route }
  | { kind: 'unicast'; rule: IpRule | undefined; table: number; route: Route; dev: string; gateway?: string; src?: string }
  | { kind: 'blackhole' | 'unreachable' | 'prohibit'; rule?: IpRule; route?: Route; table?: number }
  | { kind: 'no-route'; tried: { rule: IpRule; table: number }[] };

/** Why the lookup went where it did, one entry per rule consulted and per table searched. */
export type RouteStep =
  | { kind: 'default-rules'; family: 4 | 6; note: string; evidence: Evidence[] }
  | { kind: 'rule'; rule: IpRule; matched: boolean; note: string; evidence: Evidence[] }
  | { kind: 'table'; rule: IpRule; table: number; outcome: 'route' | 'no-match' | 'throw' | 'suppressed' | 'error'; route?: Route; note: string; evidence: Evidence[] }
  | { kind: 'on-link'; dev: string; note: string; evidence: Evidence[] };

export interface RoutingData {
  rules: IpRule[];
  routes: Route[];
  addrs: Address[];
  /** Where the rules would come from, named by the evidence of the kernel's default rules when there are none. */
  rulesFile?: string;
  routesFile?: string;
}

type Outcome = RouteResult & { steps: RouteStep[] };

function parseAddress(text: string, what: string): IpAddr {
  const ip = parseIp(text);
  if (!ip) throw new RangeError(`route query: ${what} "${text}" is not an IP address`);
  return ip;
}

function flowOf(q: RouteQuery): RuleFlow {
  const dst = parseAddress(q.dst, 'destination');
  const src = q.src === undefined ? { family: dst.family, value: 0n } : parseAddress(q.src, 'source');
  if (src.family !== dst.family) throw new RangeError(`route query: source ${q.src} and destination ${q.dst} are of different families`);
  return { family: dst.family, src, dst, iif: q.iif ?? 'lo', oif: q.oif, mark: q.mark >>> 0, proto: q.proto ?? 0, sport: q.sport ?? 0, dport: q.dport ?? 0 };
}

/** Rules in the order the kernel keeps them: by priority, then in the order they were added (the dump order). */
function rulesFor(data: RoutingData, family: 4 | 6, steps: RouteStep[]): IpRule[] {
  const own = data.rules.filter((r) => r.family === family);
  if (own.length > 0) return own.map((r, i) => ({ r, i })).sort((a, b) => a.r.priority - b.r.priority || a.i - b.i).map(({ r }) => r);
  const defaults = defaultRules(family, data.rulesFile ?? 'ip-rule.json');
  steps.push({
    kind: 'default-rules',
    family,
    note: `no IPv${family} rules in the snapshot: using the kernel defaults (${defaults.map((r) => r.evidence.text).join(', ')})`,
    evidence: defaults.map((r) => r.evidence),
  });
  return defaults;
}

/** `fib_lookup` with policy routing (`fib_rules_lookup`): IPv4 and IPv6. */
export function routeLookup(data: RoutingData, q: RouteQuery): Outcome {
  const flow = flowOf(q);
  const steps: RouteStep[] = [];
  const rules = rulesFor(data, flow.family, steps);
  const tried: { rule: IpRule; table: number }[] = [];
  let i = 0;
  while (i < rules.length) {
    const rule = rules[i];
    const { matched, why } = ruleMatches(rule, flow);
    steps.push({ kind: 'rule', rule, matched, note: why, evidence: [rule.evidence] });
    if (!matched) {
      i++;
      continue;
    }
    if (rule.action === 'goto') {
      i = gotoIndex(rules, i, steps);
      continue;
    }
    if (rule.action === 'nop') {
      i++;
      continue;
    }
    if (rule.action !== 'lookup') return { kind: rule.action, rule, steps };
    const decided = lookupRule(data, rule, flow, q, steps, tried);
    if (decided) return { ...decided, steps } as Outcome;
    i++;
  }
  return noRoute(data, flow, q, steps, tried);
}

/** A goto continues at the first rule whose priority equals the target; without one the kernel skips the goto. */
function gotoIndex(rules: IpRule[], i: number, steps: RouteStep[]): number {
  const rule = rules[i];
  const target = rules.findIndex((r) => r.priority === rule.target);
  const last = steps[steps.length - 1];
  if (target > i) {
    last.note += `; goto ${rule.target}`;
    return target;
  }
  last.note += `; goto ${rule.target} is unresolved (no rule at that priority after this one), so the kernel skips it`;
  return i + 1;
}

type Decided = Exclude<RouteResult, { kind: 'no-route' }>;

function lookupRule(data: RoutingData, rule: IpRule, flow: RuleFlow, q: RouteQuery, steps: RouteStep[], tried: { rule: IpRule; table: number }[]): Decided | undefined {
  const table = rule.table;
  if (table === undefined) {
    steps.push({ kind: 'table', rule, table: 0, outcome: 'no-match', note: 'the rule takes its table from a VRF device, which is not evaluated', evidence: [rule.evidence] });
    return undefined;
  }
  const hit = lookupTable(data.routes, table, flow.family, flow.dst, q.oif);
  const step = (outcome: 'route' | 'no-match' | 'throw' | 'suppressed' | 'error', note: string, route?: Route): void => {
    steps.push({ kind: 'table', rule, table, outcome, route, note, evidence: route ? [route.evidence] : [rule.evidence] });
  };
  if (!hit) {
    step('no-match', `table ${table} has no route to ${q.dst}; the next rule is tried`);
    tried.push({ rule, table });
    return undefined;
  }
  const { route } = hit;
  if (route.type === 'throw') {
    step('throw', `throw route ${route.dst} in table ${table}: the next rule is tried`, route);
    tried.push({ rule, table });
    return undefined;
  }
  if (ERROR_TYPES.has(route.type)) {
    step('error', `${route.type} route ${route.dst} in table ${table}`, route);
    return { kind: route.type as 'blackhole' | 'unreachable' | 'prohibit', rule, route, table };
  }
  if (rule.suppressPrefixlen !== undefined && hit.prefixlen <= rule.suppressPrefixlen) {
    step('suppressed', `route ${route.dst} is /${hit.prefixlen}, not longer than suppress_prefixlength ${rule.suppressPrefixlen}: ignored, the next rule is tried`, route);
    tried.push({ rule, table });
    return undefined;
  }
  step('route', `table ${table}: ${route.evidence.text ?? route.dst}`, route);
  return delivered(data, rule, table, route, flow, q);
}

/** Local and anycast routes deliver here; a broadcast is delivered to an incoming packet and sent by a local one. */
function delivered(data: RoutingData, rule: IpRule, table: number, route: Route, flow: RuleFlow, q: RouteQuery): Decided {
  const incoming = q.iif !== undefined && q.iif !== 'lo';
  if (route.type === 'local' || route.type === 'anycast' || (route.type === 'broadcast' && incoming)) return { kind: 'local', rule, table, route };
  const hop = nexthopOf(route, q.oif);
  const dev = hop.dev ?? q.oif ?? '';
  const src = route.prefsrc ?? q.src ?? selectSource(data.addrs, dev, flow.family, hop.gateway ?? q.dst);
  return { kind: 'unicast', rule, table, route, dev, ...(hop.gateway !== undefined && { gateway: hop.gateway }), ...(src !== undefined && { src }) };
}

/**
 * A locally generated IPv4 packet from a socket bound to a device, with no route at all, is sent on-link out of
 * that device (`ip_route_output_key_hash_rcu`: "routing tables are wrong, assume the destination is on link").
 */
function noRoute(data: RoutingData, flow: RuleFlow, q: RouteQuery, steps: RouteStep[], tried: { rule: IpRule; table: number }[]): Outcome {
  if (flow.family === 4 && q.iif === undefined && q.oif !== undefined) {
    const evidence: Evidence = { file: data.routesFile ?? 'ip-route.json', text: `no route to ${q.dst}; assumed on-link on ${q.oif}` };
    // The kernel reports a route it invented this way as belonging to main.
    const route: Route = { family: 4, table: TABLE_MAIN, type: 'unicast', dst: `${q.dst}/32`, dev: q.oif, scope: 'link', evidence };
    steps.push({ kind: 'on-link', dev: q.oif, note: `no rule found a route; the socket is bound to ${q.oif}, so the kernel sends on-link`, evidence: [evidence] });
    const src = q.src ?? selectSource(data.addrs, q.oif, 4, q.dst);
    return { kind: 'unicast', rule: undefined, table: TABLE_MAIN, route, dev: q.oif, ...(src !== undefined && { src }), steps };
  }
  return { kind: 'no-route', tried, steps };
}

/** fe80::/10 and 169.254.0.0/16: never chosen as a source while a global address exists. */
function isLinkLocal(ip: IpAddr): boolean {
  return ip.family === 6 ? ip.value >> 118n === 0x3fan : ip.value >> 16n === 0xa9fen;
}

/** Source address selection, simplified from `inet_select_addr`: the device's address on the next hop's subnet, else its first global one. */
function selectSource(addrs: Address[], dev: string, family: 4 | 6, toward: string): string | undefined {
  const target = parseIp(toward);
  const own = addrs.filter((a) => a.ifname === dev && a.family === family);
  const onSubnet = own.find((a) => {
    const cidr = parseCidr(`${a.local}/${a.prefixlen}`);
    return cidr !== undefined && target !== undefined && cidrContainsAddr(cidr, target);
  });
  const global = own.find((a) => {
    const ip = parseIp(a.local);
    return ip !== undefined && !isLinkLocal(ip);
  });
  return (onSubnet ?? global ?? own[0])?.local;
}
