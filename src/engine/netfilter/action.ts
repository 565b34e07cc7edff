import type { Action, Hook, PortRange } from '../../model/netfilter.ts';
import type { Packet } from '../../model/packet.ts';
import { parseIp, rangeContains, sameIp } from '../net/cidr.ts';
import type { NfContext } from './context.ts';

/** `(v & ~clear) ^ xor` in unsigned 32-bit arithmetic: xt_MARK, xt_CONNMARK and nft `meta mark set`. */
export function xmark(v: number, clear: number, xor: number): number {
  return ((v & ~clear) ^ xor) >>> 0;
}

/**
 * The packet after a mark, connmark or ct action. CONNMARK does nothing to an untracked packet
 * (there is no conntrack entry to hold the mark), nor does `--restore-mark` read one.
 */
export function applyMarks(a: Action, pkt: Packet, tracked: boolean): Packet {
  switch (a.kind) {
    case 'mark':
      return { ...pkt, mark: xmark(pkt.mark, a.clear, a.xor) };
    case 'connmark-set':
      return tracked ? { ...pkt, connmark: xmark(pkt.connmark, a.clear, a.xor) } : pkt;
    case 'connmark-save':
      return tracked ? { ...pkt, connmark: (((pkt.connmark & ~a.ctmask) ^ (pkt.mark & a.nfmask)) >>> 0) } : pkt;
    case 'connmark-restore':
      return tracked ? { ...pkt, mark: (((pkt.mark & ~a.nfmask) ^ (pkt.connmark & a.ctmask)) >>> 0) } : pkt;
    case 'ct':
      return a.zone !== undefined ? { ...pkt, zone: a.zone } : pkt;
    default:
      return pkt;
  }
}

/**
 * nf_nat keeps a tuple that already lies in the requested range and otherwise chooses inside it;
 * the lowest value stands for that choice.
 */
function pickPort(current: number, range: PortRange | undefined): number {
  if (!range) return current;
  return current >= range[0] && current <= range[1] ? current : range[0];
}

function pickAddr(current: string, spec: string | undefined): string {
  if (spec === undefined) return current;
  const dash = spec.indexOf('-');
  if (dash < 0) return spec;
  const lo = spec.slice(0, dash);
  return rangeContains(lo, spec.slice(dash + 1), current) ? current : lo;
}

/** The packet after a NAT action, or undefined when the kernel drops it (no address to use). */
export function applyNat(a: Action, pkt: Packet, hook: Hook, ctx: NfContext): Packet | undefined {
  const family = parseIp(pkt.dst)?.family ?? 4;
  switch (a.kind) {
    case 'redirect': {
      const dst = redirectAddr(pkt, hook, ctx, family);
      return dst === undefined ? undefined : { ...pkt, dst, dport: pickPort(pkt.dport, a.ports) };
    }
    case 'dnat':
      return { ...pkt, dst: pickAddr(pkt.dst, a.addr), dport: pickPort(pkt.dport, a.ports) };
    case 'snat':
      return { ...pkt, src: pickAddr(pkt.src, a.addr), sport: pickPort(pkt.sport, a.ports) };
    case 'masquerade': {
      const src = pkt.oif !== undefined ? ctx.ifaceAddr(pkt.oif, family) : undefined;
      return src === undefined ? undefined : { ...pkt, src, sport: pickPort(pkt.sport, a.ports) };
    }
    default:
      return pkt;
  }
}

/**
 * nf_nat_redirect: locally generated packets go to the loopback address; others to the primary
 * address of the interface they came in on, and are dropped when it has none.
 */
function redirectAddr(pkt: Packet, hook: Hook, ctx: NfContext, family: 4 | 6): string | undefined {
  if (hook === 'output') return family === 4 ? '127.0.0.1' : '::1';
  return pkt.iif !== undefined ? ctx.ifaceAddr(pkt.iif, family) : undefined;
}

/**
 * TPROXY hands the packet to a transparent listener at `ip` (default: the packet's destination) and
 * `port`, without rewriting it. The kernel drops the packet when there is no such socket or it is not
 * transparent; an unknown socket table lets it through. (A first packet has no established socket,
 * so only the listener lookup applies.)
 */
export function tproxyListens(a: Extract<Action, { kind: 'tproxy' }>, pkt: Packet, ctx: NfContext): boolean {
  const dst = a.ip && !isUnspecified(a.ip) ? a.ip : pkt.dst;
  const found = ctx.socketLookup?.({ ...pkt, dst, dport: a.port });
  return !found || (found.found && found.transparent !== false);
}

function isUnspecified(ip: string): boolean {
  return sameIp(ip, '0.0.0.0') || sameIp(ip, '::');
}
