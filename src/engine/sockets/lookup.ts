import type { Socket } from '../../model/routing.ts';
import { parseIp, type IpAddr } from '../net/cidr.ts';

/** `::ffff:a.b.c.d` is how an IPv6 socket sees an IPv4 peer; compare it as the IPv4 address. */
function unmapped(ip: IpAddr): IpAddr {
  return ip.family === 6 && ip.value >> 32n === 0xffffn ? { family: 4, value: ip.value & 0xffffffffn } : ip;
}

/** `*` is how ss prints a dual-stack `::` listener. */
function isWildcard(addr: string): boolean {
  return addr === '*' || parseIp(addr)?.value === 0n;
}

/**
 * How well a listener takes a connection to `ip`, or undefined when it cannot: a bound address beats a
 * wildcard, a socket bound to the arriving device beats an unbound one, and for IPv4 an IPv4 socket beats
 * a dual-stack one (`inet_lhash2` scoring). A `::` listener takes IPv4 unless it is known to be v6only.
 */
function score(s: Socket, ip: IpAddr, iface: string | undefined): number | undefined {
  if (s.iface !== undefined && iface !== undefined && s.iface !== iface) return undefined;
  const bound = s.iface !== undefined && s.iface === iface ? 2 : 0;
  if (isWildcard(s.addr)) {
    const family = s.addr === '*' ? 6 : parseIp(s.addr)!.family;
    if (ip.family === 6 && family === 4) return undefined;
    if (ip.family === 4 && family === 6 && s.v6only === true) return undefined;
    return bound + (family === ip.family ? 1 : 0);
  }
  const own = parseIp(s.addr);
  if (!own) return undefined;
  const mine = unmapped(own);
  if (mine.family !== ip.family || mine.value !== ip.value) return undefined;
  return 4 + bound + (own.family === ip.family ? 1 : 0);
}

/** The listening socket that accepts a connection to `addr:port` (arriving on `iface`, when known). */
export function findListener(sockets: Socket[], addr: string, port: number, proto: Socket['proto'] = 'tcp', iface?: string): Socket | undefined {
  const parsed = parseIp(addr);
  if (!parsed) return undefined;
  const ip = unmapped(parsed);
  let best: { s: Socket; score: number } | undefined;
  for (const s of sockets) {
    if (s.port !== port || s.proto !== proto) continue;
    const sc = score(s, ip, iface);
    if (sc !== undefined && (best === undefined || sc > best.score)) best = { s, score: sc };
  }
  return best?.s;
}
