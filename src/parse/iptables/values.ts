import { InputError } from '../../model/evidence.ts';
import type { Masked, PortRange } from '../../model/netfilter.ts';
import { parseCidr, parseIp } from '../../engine/net/cidr.ts';

/** Where a rule sits, so every value error names its file and line. */
export class LineCtx {
  constructor(readonly file: string, readonly line: number) {}
  fail(expected: string, hint?: string): never {
    throw new InputError(this.file, { line: this.line }, expected, hint);
  }
}

const U32_MAX = 0xffffffff;

/** An unsigned 32-bit number as iptables reads it (strtoul base 0: decimal, 0x hex, leading-0 octal). */
export function u32(text: string, ctx: LineCtx, what: string): number {
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) n = parseInt(text.slice(1), 8);
  else if (/^\d+$/.test(text)) n = Number(text);
  else ctx.fail(`expected ${what} as a number, found "${text}"`);
  if (!(n <= U32_MAX)) ctx.fail(`expected ${what} within 32 bits, found "${text}"`);
  return n;
}

/** `value[/mask]`; a missing mask is all ones. */
export function masked(text: string, ctx: LineCtx, what: string): Masked {
  const slash = text.indexOf('/');
  if (slash < 0) return { value: u32(text, ctx, what), mask: U32_MAX };
  return { value: u32(text.slice(0, slash), ctx, what), mask: u32(text.slice(slash + 1), ctx, `${what} mask`) };
}

export function port(text: string, ctx: LineCtx): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) ctx.fail(`expected a port number (0-65535), found "${text}"`, 'iptables-save prints ports as numbers');
  return Number(text);
}

/** `a`, `a<sep>b`, and for `:` also the open forms `:b` and `a:`, as xt_tcpudp and multiport accept. */
export function portRange(text: string, sep: ':' | '-', ctx: LineCtx): PortRange {
  const at = text.indexOf(sep);
  if (at < 0) {
    const p = port(text, ctx);
    return [p, p];
  }
  const lo = text.slice(0, at);
  const hi = text.slice(at + 1);
  const range: PortRange = [lo === '' && sep === ':' ? 0 : port(lo, ctx), hi === '' && sep === ':' ? 65535 : port(hi, ctx)];
  if (range[0] > range[1]) ctx.fail(`expected a port range low${sep}high, found "${text}"`);
  return range;
}

/** `--uid-owner 1000` or `1000-2000` (iptables-save prints ids, not names). */
export function idRange(text: string, ctx: LineCtx, what: string): PortRange {
  const at = text.indexOf('-');
  const lo = u32(at < 0 ? text : text.slice(0, at), ctx, what);
  const hi = at < 0 ? lo : u32(text.slice(at + 1), ctx, what);
  if (lo > hi) ctx.fail(`expected a ${what} range low-high, found "${text}"`);
  return [lo, hi];
}

export function cidr(text: string, ctx: LineCtx, family: 4 | 6): string {
  // kube-proxy writes an address per Service; most are plain IPv4, checked here without parseCidr's BigInts.
  if (family === 4 && isIpv4Cidr(text)) return text;
  const c = parseCidr(text);
  if (!c || c.family !== family) ctx.fail(`expected an IPv${family} address or CIDR, found "${text}"`, family === 4 ? 'IPv6 rules belong in ip6tables-save.txt' : 'IPv4 rules belong in iptables-save.txt');
  return text;
}

/** `a.b.c.d` or `a.b.c.d/n` exactly as parseCidr reads IPv4: 1-3 digits per part up to 255, a prefix up to 32. */
function isIpv4Cidr(text: string): boolean {
  let part = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : -1;
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return false;
      value = value * 10 + (c - 48);
      continue;
    }
    if (digits === 0 || value > (part === 4 ? 32 : 255)) return false;
    if (c === 46 /* . */ && part < 3) part++;
    else if (c === 47 /* / */ && part === 3) part = 4;
    else if (c === -1 && part >= 3) return true;
    else return false;
    digits = 0;
    value = 0;
  }
  return false;
}

export function address(text: string, ctx: LineCtx, family: 4 | 6): string {
  const ip = parseIp(text);
  if (!ip || ip.family !== family) ctx.fail(`expected an IPv${family} address, found "${text}"`);
  return text;
}

/** Quotes an argument the way iptables-save would, for unsupported text that must read back. */
export function quoteArg(arg: string): string {
  return arg === '' || /[\s"\\]/.test(arg) ? `"${arg.replace(/(["\\])/g, '\\$1')}"` : arg;
}
