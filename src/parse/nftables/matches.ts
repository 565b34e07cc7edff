import type { AddrType, CtState, Match, NfFamily } from '../../model/netfilter.ts';
import { isObject } from '../json.ts';
import { onlyKey, renderStatement } from './render.ts';
import { setKey } from './sets.ts';
import { cidrs, ifnames, integer, protocols, ranges, setName, strings, UINT32 } from './values.ts';

/** Where an expression sits: its table decides implicit family dependencies and named-set keys. */
export interface ExprContext {
  family: NfFamily;
  table: string;
}

type Decoder = (op: string, right: unknown, ctx: ExprContext) => Match | undefined;

const EQUALITY = new Set(['==', '!=', 'in']);
/** Fields that also take `<`, `>`, `<=`, `>=` (ports have their own path). */
const RANGED = new Set(['meta skuid', 'meta skgid']);
const CT_STATES: CtState[] = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'];
const ADDR_TYPES: AddrType[] = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];
const L4_PAYLOADS = ['tcp', 'udp', 'sctp', 'udplite', 'dccp'];

/**
 * One nft `match` expression → the model's matches: the implicit dependencies nft compiles in
 * (`tcp dport` also tests `meta l4proto tcp`; `ip daddr` in an inet table tests `meta nfproto ipv4`;
 * `skuid` breaks the rule when the packet has no socket), then the condition itself — or a single
 * unsupported match when the expression has no exact model.
 */
export function toMatches(m: Record<string, unknown>, ctx: ExprContext): Match[] {
  const op = String(m.op);
  const field = fieldOf(m.left);
  const core = field === 'fib' ? fibMatch(m.left, op, m.right) : field === undefined ? undefined : decode(field, op, m.right, ctx);
  if (field === undefined || core === undefined) return [{ kind: 'unsupported', text: renderStatement({ match: m }) }];
  return [...dependencies(field, ctx), op === '!=' ? { ...core, negate: true } : core];
}

/** A stable name for the left side: `tcp dport`, `meta mark`, `meta mark &<mask>`, `fib`… */
function fieldOf(left: unknown): string | undefined {
  const kv = onlyKey(left);
  if (!kv) return undefined;
  const [key, v] = kv;
  if (key === 'fib') return 'fib';
  if (key === '&' && Array.isArray(v) && v.length === 2) {
    const inner = fieldOf(v[0]);
    const mask = integer(v[1]);
    return (inner === 'meta mark' || inner === 'ct mark') && mask !== undefined ? `${inner} &${mask}` : undefined;
  }
  if (!isObject(v)) return undefined;
  if (key === 'payload' && typeof v.protocol === 'string') return `${v.protocol} ${String(v.field)}`;
  if ((key === 'meta' || key === 'socket') && typeof v.key === 'string') return `${key} ${v.key}`;
  if (key === 'ct' && typeof v.key === 'string' && v.dir === undefined) return `ct ${v.key}`;
  return undefined;
}

function decode(field: string, op: string, right: unknown, ctx: ExprContext): Match | undefined {
  const masked = /^(meta|ct) mark &(\d+)$/.exec(field);
  if (masked) return markMatch(masked[1] === 'meta' ? 'mark' : 'connmark', Number(masked[2]), op, right);
  const portField = /^(tcp|udp|sctp|udplite|dccp|th) (sport|dport)$/.exec(field);
  if (portField) return portMatch(portField[2] as 'sport' | 'dport', op, right, ctx);
  const decoder = Object.hasOwn(DECODERS, field) ? DECODERS[field] : undefined;
  return decoder && (EQUALITY.has(op) || RANGED.has(field)) ? decoder(op, right, ctx) : undefined;
}

/** `fib daddr type local` is the addrtype match; `iif`/`oif` restrict the lookup to the packet's device. */
function fibMatch(left: unknown, op: string, right: unknown): Match | undefined {
  const fib = onlyKey(left)?.[1];
  if (!isObject(fib) || fib.result !== 'type' || !Array.isArray(fib.flags) || !EQUALITY.has(op)) return undefined;
  const flags = new Set(fib.flags);
  const dir = flags.has('daddr') ? 'dst' : flags.has('saddr') ? 'src' : undefined;
  const types = strings(right)?.map((t) => t.toUpperCase());
  if (!dir || flags.has('mark') || (flags.has('saddr') && flags.has('daddr')) || !types?.every((t) => (ADDR_TYPES as string[]).includes(t))) return undefined;
  return {
    kind: 'addrtype',
    [dir]: types as AddrType[],
    ...(flags.has('iif') ? { limitIfaceIn: true } : {}),
    ...(flags.has('oif') ? { limitIfaceOut: true } : {}),
  };
}

function markMatch(kind: 'mark' | 'connmark', mask: number, op: string, right: unknown): Match | undefined {
  const value = integer(right);
  return EQUALITY.has(op) && value !== undefined ? { kind, masked: { value, mask } } : undefined;
}

function portMatch(kind: 'sport' | 'dport', op: string, right: unknown, ctx: ExprContext): Match | undefined {
  const named = setName(right);
  if (named !== undefined) return EQUALITY.has(op) ? { kind: 'set', name: setKey(ctx.family, ctx.table, named), dirs: [kind === 'sport' ? 'src' : 'dst'] } : undefined;
  const r = ranges(op, right, 0xffff);
  return r && { kind, ranges: r };
}

function addrMatch(kind: 'saddr' | 'daddr', family: 'ipv4' | 'ipv6'): Decoder {
  return (_op, right, ctx) => {
    const named = setName(right);
    if (named !== undefined) return { kind: 'set', name: setKey(ctx.family, ctx.table, named), dirs: [kind === 'saddr' ? 'src' : 'dst'] };
    const c = cidrs(right, family);
    return c && { kind, cidrs: c };
  };
}

function ifaceMatch(kind: 'iif' | 'oif'): Decoder {
  return (_op, right) => {
    const names = ifnames(right);
    return names && { kind, names };
  };
}

function ownerMatch(kind: 'uid' | 'gid'): Decoder {
  return (op, right) => {
    const r = ranges(op, right, UINT32);
    return r && { kind, ranges: r };
  };
}

const proto: Decoder = (_op, right) => {
  const p = protocols(right);
  return p && { kind: 'proto', protos: p };
};

function familyMatch(names: Record<string, 'ipv4' | 'ipv6'>): Decoder {
  return (_op, right) => {
    const s = strings(right);
    return s?.length === 1 && Object.hasOwn(names, s[0]) ? { kind: 'nfproto', family: names[s[0]] } : undefined;
  };
}

const ctState: Decoder = (_op, right) => {
  const states = strings(right)?.map((s) => s.toUpperCase());
  return states?.every((s) => (CT_STATES as string[]).includes(s)) ? { kind: 'ctstate', states: states as CtState[] } : undefined;
};

/** iptables' conntrack match folds the DNAT/SNAT status bits into its states; nft spells them `ct status`. */
const ctStatus: Decoder = (_op, right) => {
  const states = strings(right)?.map((s) => s.toUpperCase());
  return states?.every((s) => s === 'DNAT' || s === 'SNAT') ? { kind: 'ctstate', states: states as CtState[] } : undefined;
};

const ctZone: Decoder = (_op, right) => {
  const zone = integer(right, 0xffff);
  return zone === undefined ? undefined : { kind: 'ctzone', zone };
};

/** nft's socket lookup has no wildcard filter, unlike xt_socket without `--nowildcard`. */
const socketTransparent: Decoder = (op, right) =>
  op === '==' && integer(right) === 1 ? { kind: 'socket', transparent: true, nowildcard: true, restoreSkmark: false } : undefined;

const DECODERS: Record<string, Decoder | undefined> = {
  'meta l4proto': proto,
  'ip protocol': proto,
  'ip6 nexthdr': proto,
  'meta nfproto': familyMatch({ ipv4: 'ipv4', ipv6: 'ipv6' }),
  'meta protocol': familyMatch({ ip: 'ipv4', ip6: 'ipv6' }),
  'ip saddr': addrMatch('saddr', 'ipv4'),
  'ip daddr': addrMatch('daddr', 'ipv4'),
  'ip6 saddr': addrMatch('saddr', 'ipv6'),
  'ip6 daddr': addrMatch('daddr', 'ipv6'),
  'meta iifname': ifaceMatch('iif'),
  'meta oifname': ifaceMatch('oif'),
  'meta iif': ifaceMatch('iif'),
  'meta oif': ifaceMatch('oif'),
  'meta skuid': ownerMatch('uid'),
  'meta skgid': ownerMatch('gid'),
  'meta mark': (op, right) => markMatch('mark', UINT32, op, right),
  'ct mark': (op, right) => markMatch('connmark', UINT32, op, right),
  'ct state': ctState,
  'ct status': ctStatus,
  'ct zone': ctZone,
  'socket transparent': socketTransparent,
};

function dependencies(field: string, ctx: ExprContext): Match[] {
  const [head] = field.split(' ');
  if (L4_PAYLOADS.includes(head)) return [{ kind: 'proto', protos: [head] }];
  if (head === 'ip' || head === 'ip6') return familyDependency(head === 'ip' ? 'ipv4' : 'ipv6', ctx);
  if (field === 'meta skuid' || field === 'meta skgid') return [{ kind: 'socket-exists' }];
  return [];
}

/** Only inet tables mix families; an ip or ip6 table sees one family by construction. */
export function familyDependency(family: 'ipv4' | 'ipv6', ctx: ExprContext): Match[] {
  return ctx.family === 'inet' ? [{ kind: 'nfproto', family }] : [];
}
