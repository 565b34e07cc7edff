import type { IpRule } from '../model/routing.ts';
import { InputError } from '../model/evidence.ts';
import { parseCidr } from '../engine/net/cidr.ts';
import { isArray, isNumber, isObject, isString, need, parseJsonText, ptr } from './json.ts';
import { tableId, tableName } from './ip-route.ts';

const ERROR_ACTIONS = new Set(['blackhole', 'unreachable', 'prohibit']);
const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, dccp: 33, 'ipv6-icmp': 58, sctp: 132, udplite: 136 };
/** Selectors whose inputs (TOS, socket uid, VRF, tunnel id, device group) a route query does not carry. */
const UNSUPPORTED: Record<string, string> = { tos: 'tos', dscp: 'dscp', uid_start: 'uidrange', l3mdev: 'l3mdev', tun_id: 'tun_id', suppress_ifgroup: 'suppress_ifgroup', flowlabel: 'flowlabel' };
const FULL_MASK = 0xffffffff;

/**
 * `ip -j rule` (family 4) or `ip -6 -j rule` (family 6). The JSON does not carry the family, and `from all`
 * rules exist in both, so the caller says which command produced the file.
 */
export function parseIpRule(text: string, file: string, family: 4 | 6 = 4): IpRule[] {
  const cmd = family === 4 ? '`ip -j rule`' : '`ip -6 -j rule`';
  const items = need(parseJsonText(text, file, `the output of ${cmd}`), isArray, file, '', `a JSON array (${cmd})`);
  return items.map((item, i) => toRule(need(item, isObject, file, ptr('', i), 'a rule object'), family, file, ptr('', i)));
}

function toRule(obj: Record<string, unknown>, family: 4 | 6, file: string, at: string): IpRule {
  const rule: IpRule = {
    family,
    priority: need(obj.priority, isNumber, file, ptr(at, 'priority'), 'a rule priority'),
    action: 'lookup',
    evidence: { file, pointer: at },
  };
  if ('not' in obj) rule.not = true;
  const src = prefixOf(obj, 'src', 'srclen', family, file, at);
  if (src !== undefined) rule.src = src;
  const dst = prefixOf(obj, 'dst', 'dstlen', family, file, at);
  if (dst !== undefined) rule.dst = dst;
  for (const key of ['iif', 'oif'] as const) {
    if (obj[key] !== undefined) rule[key] = need(obj[key], isString, file, ptr(at, key), 'a device name');
  }
  if ('iif_detached' in obj || 'oif_detached' in obj) rule.detached = true;
  if (obj.fwmark !== undefined) rule.fwmark = fwmarkOf(obj, file, at);
  if (obj.ipproto !== undefined) rule.ipproto = protocolOf(obj.ipproto, file, ptr(at, 'ipproto'));
  const sport = portRange(obj, 'sport', file, at);
  if (sport) rule.sport = sport;
  const dport = portRange(obj, 'dport', file, at);
  if (dport) rule.dport = dport;
  if (obj.suppress_prefixlen !== undefined) rule.suppressPrefixlen = need(obj.suppress_prefixlen, isNumber, file, ptr(at, 'suppress_prefixlen'), 'a prefix length');
  const unsupported = Object.keys(UNSUPPORTED).filter((k) => k in obj).map((k) => UNSUPPORTED[k]);
  if (unsupported.length > 0) rule.unsupported = unsupported;
  setAction(rule, obj, file, at);
  rule.evidence.text = renderRule(rule);
  return rule;
}

function prefixOf(obj: Record<string, unknown>, key: string, lenKey: string, family: 4 | 6, file: string, at: string): string | undefined {
  if (obj[key] === undefined) return undefined;
  const addr = need(obj[key], isString, file, ptr(at, key), 'an address or "all"');
  if (addr === 'all') return undefined;
  const len = obj[lenKey] === undefined ? (family === 4 ? 32 : 128) : need(obj[lenKey], isNumber, file, ptr(at, lenKey), 'a prefix length');
  const cidr = parseCidr(`${addr}/${len}`);
  if (!cidr) throw new InputError(file, { pointer: ptr(at, key) }, `expected an IP prefix, found "${addr}/${len}"`);
  if (cidr.family !== family) {
    throw new InputError(file, { pointer: ptr(at, key) }, `IPv${cidr.family} address "${addr}" in a file of IPv${family} rules`, 'IPv4 rules come from `ip -j rule`, IPv6 rules from `ip -6 -j rule`; keep them in separate files');
  }
  return `${addr}/${len}`;
}

function numberOf(value: unknown, file: string, pointer: string, expected: string): number {
  if (isNumber(value)) return value;
  const text = need(value, isString, file, pointer, expected);
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) throw new InputError(file, { pointer }, `expected ${expected}, found "${text}"`);
  return Number(text);
}

/** iproute2 prints `fwmark` and `fwmask` separately (the mask only when it is not all ones); older dumps write `value/mask`. */
function fwmarkOf(obj: Record<string, unknown>, file: string, at: string): { value: number; mask: number } {
  const pointer = ptr(at, 'fwmark');
  if (isString(obj.fwmark) && obj.fwmark.includes('/')) {
    const [value, mask] = obj.fwmark.split('/');
    return { value: numberOf(value, file, pointer, 'a mark'), mask: numberOf(mask, file, pointer, 'a mask') };
  }
  const value = numberOf(obj.fwmark, file, pointer, 'a mark');
  const mask = obj.fwmask === undefined ? FULL_MASK : numberOf(obj.fwmask, file, ptr(at, 'fwmask'), 'a mask');
  return { value, mask };
}

function protocolOf(value: unknown, file: string, pointer: string): number {
  if (isNumber(value)) return value;
  const name = need(value, isString, file, pointer, 'an IP protocol');
  const known = PROTOCOLS[name] ?? (/^(?:ipproto-)?(\d+)$/.exec(name)?.[1] as string | undefined);
  if (known === undefined) throw new InputError(file, { pointer }, `unknown IP protocol "${name}"`, `use a number or one of ${Object.keys(PROTOCOLS).join(', ')}`);
  return Number(known);
}

function portRange(obj: Record<string, unknown>, key: 'sport' | 'dport', file: string, at: string): { start: number; end: number } | undefined {
  if (obj[key] !== undefined) {
    const port = need(obj[key], isNumber, file, ptr(at, key), 'a port');
    return { start: port, end: port };
  }
  if (obj[`${key}_start`] === undefined) return undefined;
  return {
    start: need(obj[`${key}_start`], isNumber, file, ptr(at, `${key}_start`), 'a port'),
    end: need(obj[`${key}_end`], isNumber, file, ptr(at, `${key}_end`), 'a port'),
  };
}

function setAction(rule: IpRule, obj: Record<string, unknown>, file: string, at: string): void {
  if (obj.goto !== undefined) {
    rule.action = 'goto';
    rule.target = need(obj.goto, isNumber, file, ptr(at, 'goto'), 'a goto target priority');
    // fib_nl_newrule refuses a goto that does not jump forward, so rules can never loop; a dump with one is not the kernel's.
    if (rule.target <= rule.priority) throw new InputError(file, { pointer: ptr(at, 'goto') }, `expected a goto target after priority ${rule.priority}, found ${rule.target}`, 'the kernel only accepts gotos to a later rule');
    if ('unresolved' in obj) rule.unresolved = true;
  } else if ('nop' in obj) {
    rule.action = 'nop';
  } else if (obj.action !== undefined) {
    const action = need(obj.action, isString, file, ptr(at, 'action'), 'a rule action');
    if (!ERROR_ACTIONS.has(action)) throw new InputError(file, { pointer: ptr(at, 'action') }, `expected a rule action (blackhole, unreachable, prohibit), found "${action}"`);
    rule.action = action as IpRule['action'];
  } else if (obj.table !== undefined) {
    rule.table = tableId(obj.table, file, ptr(at, 'table'));
  } else if (!('l3mdev' in obj)) {
    // An l3mdev rule takes its table from the VRF device; anything else without a table is not a kernel rule.
    throw new InputError(file, { pointer: at }, 'expected a rule with `table`, `goto`, `nop` or `action`');
  }
}

/** One line the way `ip rule` prints it. */
function renderRule(r: IpRule): string {
  const parts = [`${r.priority}:`];
  if (r.not) parts.push('not');
  parts.push(`from ${r.src ?? 'all'}`);
  if (r.dst) parts.push(`to ${r.dst}`);
  if (r.fwmark) parts.push(`fwmark 0x${r.fwmark.value.toString(16)}${r.fwmark.mask === FULL_MASK ? '' : `/0x${r.fwmark.mask.toString(16)}`}`);
  if (r.iif) parts.push(`iif ${r.iif}`);
  if (r.oif) parts.push(`oif ${r.oif}`);
  if (r.ipproto !== undefined) parts.push(`ipproto ${r.ipproto}`);
  for (const key of ['sport', 'dport'] as const) {
    const range = r[key];
    if (range) parts.push(`${key} ${range.start === range.end ? range.start : `${range.start}-${range.end}`}`);
  }
  for (const u of r.unsupported ?? []) parts.push(u);
  if (r.action === 'lookup' && r.table !== undefined) parts.push(`lookup ${tableName(r.table)}`);
  else if (r.action === 'goto') parts.push(`goto ${r.target}`);
  else if (r.action !== 'lookup') parts.push(r.action);
  if (r.suppressPrefixlen !== undefined) parts.push(`suppress_prefixlength ${r.suppressPrefixlen}`);
  return parts.join(' ');
}
