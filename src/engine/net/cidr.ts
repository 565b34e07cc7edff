/**
 * IPv4 and IPv6 addresses as numbers, for prefix arithmetic. Addresses are bigints so both
 * families share one code path; a value is only compared with values of its own family.
 */

export type IpFamily = 4 | 6;

export interface IpAddr {
  family: IpFamily;
  value: bigint;
}

export interface Cidr extends IpAddr {
  prefix: number;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export function familyBits(family: IpFamily): number {
  return BITS[family];
}

/** Parses a dotted quad or an RFC 4291 IPv6 text form (`::`, embedded IPv4); undefined when malformed. */
export function parseIp(text: string): IpAddr | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value: BigInt(value) };
}

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out = out * 256 + n;
  }
  return out;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** 16-bit groups of one side of `::`; a trailing dotted quad counts as two groups. */
function groupsOf(side: string): number[] | undefined {
  if (side === '') return [];
  const parts = side.split(':');
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (v4 === undefined) return undefined;
      out.push(Math.floor(v4 / 65536), v4 % 65536);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
      out.push(parseInt(p, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

/** `10.0.0.0/8`, `fd00::/64`, or a bare address (a host prefix). Host bits are masked off, as the kernel does. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const bits = BITS[ip.family];
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) return undefined;
    prefix = Number(p);
  }
  return { family: ip.family, value: ip.value & prefixMask(ip.family, prefix), prefix };
}

function prefixMask(family: IpFamily, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefix))) & all;
}

export function cidrContainsAddr(cidr: Cidr, ip: IpAddr): boolean {
  return cidr.family === ip.family && (ip.value & prefixMask(ip.family, cidr.prefix)) === cidr.value;
}

/** Whether `ip` lies in `cidr` (both as text); false across families or when either is malformed. */
export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
  return c !== undefined && a !== undefined && cidrContainsAddr(c, a);
}

/** The item whose prefix holds `ip` with the most bits (first one on ties), as a routing lookup chooses. */
export function longestPrefixMatch<T>(items: readonly T[], cidrOf: (item: T) => string, ip: string): T | undefined {
  const addr = parseIp(ip);
  if (!addr) return undefined;
  let best: T | undefined;
  let bestLen = -1;
  for (const item of items) {
    const c = parseCidr(cidrOf(item));
    if (c && c.prefix > bestLen && cidrContainsAddr(c, addr)) {
      best = item;
      bestLen = c.prefix;
    }
  }
  return best;
}

export function ipFamily(ip: string): IpFamily | undefined {
  return parseIp(ip)?.family;
}

/** Same address, whatever its spelling (`::1` vs `0:0::1`). */
export function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run compressed). */
export function formatIp(ip: IpAddr): string {
  if (ip.family === 4) {
    const n = Number(ip.value);
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  let runStart = -1;
  let runLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > runLen && j - i > 1) { runStart = i; runLen = j - i; }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (runStart < 0) return hex(groups);
  return `${hex(groups.slice(0, runStart))}::${hex(groups.slice(runStart + runLen))}`;
}

/** Whether `ip` lies in the inclusive range `from-to` (an ipset or NAT range). */
export function rangeContains(from: string, to: string, ip: string): boolean {
  const a = parseIp(from);
  const b = parseIp(to);
  const x = parseIp(ip);
  return !!a && !!b && !!x && a.family === x.family && b.family === x.family && a.value <= x.value && x.value <= b.value;
}
