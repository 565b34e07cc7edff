import type { PortRange } from '../../model/netfilter.ts';
import { isObject } from '../json.ts';
import { onlyKey } from './render.ts';

/**
 * Decoders of the right-hand side of an nft match. Each returns undefined when the value has a shape it
 * cannot express exactly, so the caller can keep the whole match as unsupported.
 */

export const UINT32 = 0xffffffff;

/** `{"elem": {"val": …, "timeout": …}}` wraps set elements that carry options. */
function unwrap(v: unknown): unknown {
  const kv = onlyKey(v);
  return kv && kv[0] === 'elem' && isObject(kv[1]) ? kv[1].val : v;
}

/** An anonymous set `{"set": […]}` or a flag list `[…]` → its elements; a single value → itself. */
export function elements(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.map(unwrap);
  const kv = onlyKey(v);
  if (kv && kv[0] === 'set') return (Array.isArray(kv[1]) ? kv[1] : [kv[1]]).map(unwrap);
  return [unwrap(v)];
}

function all<T>(items: unknown[], one: (v: unknown) => T | undefined): T[] | undefined {
  const out: T[] = [];
  for (const item of items) {
    const r = one(item);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out.length > 0 ? out : undefined;
}

export function integer(v: unknown, max = UINT32): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max ? n : undefined;
}

function range(v: unknown, max: number): PortRange | undefined {
  const n = integer(v, max);
  if (n !== undefined) return [n, n];
  const kv = onlyKey(v);
  if (!kv || kv[0] !== 'range' || !Array.isArray(kv[1]) || kv[1].length !== 2) return undefined;
  const lo = integer(kv[1][0], max);
  const hi = integer(kv[1][1], max);
  return lo !== undefined && hi !== undefined && lo <= hi ? [lo, hi] : undefined;
}

/** Ports or ids: a number, a range, a set of those, or a comparison (`tcp dport < 1024`). */
export function ranges(op: string, v: unknown, max: number): PortRange[] | undefined {
  if (op === '==' || op === '!=' || op === 'in') return all(elements(v), (x) => range(x, max));
  const n = integer(v, max);
  if (n === undefined) return undefined;
  switch (op) {
    case '<':
      return n === 0 ? undefined : [[0, n - 1]];
    case '<=':
      return [[0, n]];
    case '>':
      return n === max ? undefined : [[n + 1, max]];
    case '>=':
      return [[n, max]];
    default:
      return undefined;
  }
}

/** Addresses and prefixes, as CIDRs (a bare address gets its full-length prefix, as iptables-save prints it). */
export function cidrs(v: unknown, family: 'ipv4' | 'ipv6'): string[] | undefined {
  const full = family === 'ipv4' ? 32 : 128;
  return all(elements(v), (x) => {
    if (typeof x === 'string') return x.includes('/') ? x : `${x}/${full}`;
    const kv = onlyKey(x);
    if (!kv || kv[0] !== 'prefix' || !isObject(kv[1])) return undefined;
    const { addr, len } = kv[1];
    return typeof addr === 'string' && integer(len, full) !== undefined ? `${addr}/${len}` : undefined;
  });
}

/**
 * Interface names. nft's trailing-`*` wildcard becomes iptables' `+` so both backends read the same;
 * an escaped `\*` is a literal star.
 */
export function ifnames(v: unknown): string[] | undefined {
  return all(elements(v), (x) => {
    if (typeof x !== 'string') return undefined;
    const wildcard = x.endsWith('*') && !x.endsWith('\\*');
    const literal = (wildcard ? x.slice(0, -1) : x).replace(/\\\*/g, '*');
    return wildcard ? `${literal}+` : literal;
  });
}

export function strings(v: unknown): string[] | undefined {
  return all(elements(v), (x) => (typeof x === 'string' ? x : undefined));
}

const L4_BY_NUMBER: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp', 132: 'sctp', 136: 'udplite' };

export function protocols(v: unknown): string[] | undefined {
  return all(elements(v), (x) => {
    if (typeof x === 'string') return x;
    const n = integer(x, 255);
    return n === undefined ? undefined : Object.hasOwn(L4_BY_NUMBER, n) ? L4_BY_NUMBER[n] : String(n);
  });
}

/** A named set reference `"@name"` → its name. */
export function setName(v: unknown): string | undefined {
  return typeof v === 'string' && v.startsWith('@') ? v.slice(1) : undefined;
}
