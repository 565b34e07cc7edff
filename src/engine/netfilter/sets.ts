import type { IpSet } from '../../model/netfilter.ts';
import type { Packet } from '../../model/packet.ts';
import { cidrContainsAddr, parseCidr, parseIp, rangeContains } from '../net/cidr.ts';

type Dir = 'src' | 'dst';

/**
 * Whether one element dimension (`10.0.0.0/8`, `10.0.0.1-10.0.0.9`, `tcp:80`, `80`) holds the packet's
 * address or port in direction `dir`. Undefined when the element is unreadable.
 */
function dimension(elem: string, dir: Dir, pkt: Packet): boolean | undefined {
  const ip = dir === 'src' ? pkt.src : pkt.dst;
  const port = dir === 'src' ? pkt.sport : pkt.dport;
  const c = parseCidr(elem);
  if (c) {
    const a = parseIp(ip);
    return a !== undefined && cidrContainsAddr(c, a);
  }
  const colon = elem.indexOf(':');
  if (colon > 0 && !elem.includes('.') && /^[a-z]+$/i.test(elem.slice(0, colon))) {
    const proto = elem.slice(0, colon).toLowerCase();
    return proto === pkt.proto && portIn(elem.slice(colon + 1), port);
  }
  if (/^\d+(-\d+)?$/.test(elem)) return portIn(elem, port);
  const dash = elem.indexOf('-');
  if (dash > 0) return rangeContains(elem.slice(0, dash), elem.slice(dash + 1), ip);
  return undefined;
}

function portIn(text: string, port: number): boolean {
  const [lo, hi] = text.split('-').map(Number);
  return port >= lo && port <= (hi ?? lo);
}

/** Prefix length of an element's first dimension, so the most specific entry decides (hash:net `nomatch`). */
function specificity(value: string): number {
  return parseCidr(value.split(',')[0])?.prefix ?? 128;
}

/**
 * ipset semantics: a member matches when each of its dimensions holds the packet's field in the
 * direction given by the rule's flag for that dimension; with fewer flags than dimensions the set
 * never matches (ip_set_test). Among matching
 * hash:net members the most specific decides, so a `nomatch` exception wins over its wider member.
 * Undefined when a member cannot be read.
 */
export function ipsetHas(set: IpSet, dirs: Dir[], pkt: Packet): boolean | undefined {
  const v6 = parseIp(pkt.dst)?.family === 6;
  if (set.family && (set.family === 'inet6') !== v6) return false;
  let best: { nomatch: boolean; spec: number } | undefined;
  for (const m of set.members) {
    const hit = elementHas(m.value, dirs, pkt);
    if (hit === undefined) return undefined;
    if (!hit) continue;
    const spec = specificity(m.value);
    if (!best || spec > best.spec) best = { nomatch: !!m.nomatch, spec };
  }
  return best !== undefined && !best.nomatch;
}

export function elementHas(value: string, dirs: Dir[], pkt: Packet): boolean | undefined {
  const dims = value.split(',');
  if (dirs.length < dims.length) return false;
  let all = true;
  for (let i = 0; i < dims.length; i++) {
    const r = dimension(dims[i], dirs[i], pkt);
    if (r === undefined) return undefined;
    all &&= r;
  }
  return all;
}
