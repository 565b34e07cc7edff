import type { Route, RouteType } from '../model/routing.ts';
import { TABLE_DEFAULT, TABLE_LOCAL, TABLE_MAIN } from '../model/routing.ts';
import { InputError } from '../model/evidence.ts';
import { parseCidr } from '../engine/net/cidr.ts';
import { isArray, isNumber, isObject, isString, need, parseJsonText, ptr, quote } from './json.ts';

const TABLE_NAMES: Record<string, number> = { unspec: 0, default: TABLE_DEFAULT, main: TABLE_MAIN, local: TABLE_LOCAL };
const ROUTE_TYPES: ReadonlySet<string> = new Set<RouteType>(['unicast', 'local', 'broadcast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'anycast']);

/** A table as iproute2 prints it: a number, a numeric string, or a name from the reserved part of rt_tables. */
export function tableId(value: unknown, file: string, pointer: string): number {
  if (isNumber(value) && Number.isInteger(value) && value >= 0) return value;
  const name = need(value, isString, file, pointer, 'a routing table id or name');
  if (/^\d+$/.test(name)) return Number(name);
  const id = TABLE_NAMES[name];
  if (id !== undefined) return id;
  throw new InputError(file, { pointer }, `unknown routing table name "${name}"`, 'the capturing host maps it in /etc/iproute2/rt_tables; capture with `ip -N` (numeric) or add the number to the snapshot');
}

export function tableName(id: number): string {
  return id === TABLE_MAIN ? 'main' : id === TABLE_LOCAL ? 'local' : id === TABLE_DEFAULT ? 'default' : String(id);
}

/** `ip -j route show table all`; IPv4 and IPv6 routes may share the array. */
export function parseIpRoute(text: string, file: string): Route[] {
  const items = need(parseJsonText(text, file, 'the output of `ip -j route show table all`'), isArray, file, '', 'a JSON array (`ip -j route show table all`)');
  return items.map((item, i) => toRoute(need(item, isObject, file, ptr('', i), 'a route object'), file, ptr('', i)));
}

function optString(obj: Record<string, unknown>, key: string, file: string, at: string, expected: string): string | undefined {
  return obj[key] === undefined ? undefined : need(obj[key], isString, file, ptr(at, key), expected);
}

/** `via` (RTA_VIA) carries a gateway of another family, e.g. an IPv6 next hop for an IPv4 route. */
function gatewayOf(obj: Record<string, unknown>, file: string, at: string): string | undefined {
  const gw = optString(obj, 'gateway', file, at, 'a gateway address');
  if (gw !== undefined || obj.via === undefined) return gw;
  const via = need(obj.via, isObject, file, ptr(at, 'via'), 'a via object');
  return need(via.host, isString, file, ptr(at, 'via', 'host'), 'a gateway address');
}

/** `default` has no address to tell the family; IPv6 routes always carry `pref` (RTA_PREF) and v6 addresses. */
function familyOf(obj: Record<string, unknown>, dst: string): 4 | 6 {
  if (dst !== 'default') return dst.includes(':') ? 6 : 4;
  const hasV6 = [obj.gateway, obj.prefsrc].some((v) => isString(v) && v.includes(':'));
  return hasV6 || obj.pref !== undefined ? 6 : 4;
}

function flagsOf(obj: Record<string, unknown>, file: string, at: string): unknown[] {
  return obj.flags === undefined ? [] : need(obj.flags, isArray, file, ptr(at, 'flags'), 'an array of flags');
}

function toRoute(obj: Record<string, unknown>, file: string, at: string): Route {
  const type = (optString(obj, 'type', file, at, 'a route type') ?? 'unicast') as RouteType;
  if (!ROUTE_TYPES.has(type)) throw new InputError(file, { pointer: ptr(at, 'type') }, `expected a route type (${[...ROUTE_TYPES].join(', ')}), found "${type}"`);
  const rawDst = need(obj.dst, isString, file, ptr(at, 'dst'), 'a destination (`default` or a prefix)');
  const family = familyOf(obj, rawDst);
  const dst = rawDst === 'default' ? (family === 4 ? '0.0.0.0/0' : '::/0') : rawDst.includes('/') ? rawDst : `${rawDst}/${family === 4 ? 32 : 128}`;
  // The routing lookup matches on this prefix; a route it cannot read would be skipped without a word.
  if (parseCidr(dst)?.family !== family) throw new InputError(file, { pointer: ptr(at, 'dst') }, `expected a destination (\`default\` or an IP prefix), found ${quote(rawDst)}`);
  const route: Route = {
    family,
    table: obj.table === undefined ? TABLE_MAIN : tableId(obj.table, file, ptr(at, 'table')),
    type,
    dst,
    evidence: { file, pointer: at },
  };
  const gateway = gatewayOf(obj, file, at);
  if (gateway !== undefined) route.gateway = gateway;
  const dev = optString(obj, 'dev', file, at, 'a device name');
  if (dev !== undefined) route.dev = dev;
  const prefsrc = optString(obj, 'prefsrc', file, at, 'a source address');
  if (prefsrc !== undefined) route.prefsrc = prefsrc;
  const scope = optString(obj, 'scope', file, at, 'a scope');
  if (scope !== undefined) route.scope = scope;
  if (obj.metric !== undefined) route.metric = need(obj.metric, isNumber, file, ptr(at, 'metric'), 'a metric');
  if (flagsOf(obj, file, at).includes('onlink')) route.onlink = true;
  if (obj.nexthops !== undefined) addNexthops(route, obj.nexthops, file, ptr(at, 'nexthops'));
  route.evidence.text = renderRoute(route, rawDst);
  return route;
}

function addNexthops(route: Route, raw: unknown, file: string, at: string): void {
  const hops = need(raw, isArray, file, at, 'an array of next hops');
  route.nexthops = hops.map((h, i) => {
    const where = ptr(at, i);
    const obj = need(h, isObject, file, where, 'a next hop object');
    const hop: NonNullable<Route['nexthops']>[number] = {};
    const gateway = gatewayOf(obj, file, where);
    if (gateway !== undefined) hop.gateway = gateway;
    const dev = optString(obj, 'dev', file, where, 'a device name');
    if (dev !== undefined) hop.dev = dev;
    if (obj.weight !== undefined) hop.weight = need(obj.weight, isNumber, file, ptr(where, 'weight'), 'a weight');
    if (flagsOf(obj, file, where).includes('onlink')) hop.onlink = true;
    return hop;
  });
  const first = route.nexthops[0];
  if (route.gateway === undefined && first?.gateway !== undefined) route.gateway = first.gateway;
  if (route.dev === undefined && first?.dev !== undefined) route.dev = first.dev;
}

/** One line the way `ip route show table all` prints it. */
function renderRoute(r: Route, rawDst: string): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(rawDst);
  if (r.nexthops) {
    for (const h of r.nexthops) parts.push(`nexthop${h.gateway ? ` via ${h.gateway}` : ''}${h.dev ? ` dev ${h.dev}` : ''}${h.weight !== undefined ? ` weight ${h.weight}` : ''}`);
  } else {
    if (r.gateway) parts.push(`via ${r.gateway}`);
    if (r.dev) parts.push(`dev ${r.dev}`);
  }
  if (r.table !== TABLE_MAIN) parts.push(`table ${tableName(r.table)}`);
  if (r.scope) parts.push(`scope ${r.scope}`);
  if (r.prefsrc) parts.push(`src ${r.prefsrc}`);
  if (r.metric !== undefined) parts.push(`metric ${r.metric}`);
  if (r.onlink) parts.push('onlink');
  return parts.join(' ');
}
