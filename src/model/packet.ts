export type Proto = 'tcp' | 'udp' | 'icmp' | 'sctp';

/** Outer header of a tunnelled packet. */
export interface Outer {
  type: 'geneve' | 'vxlan';
  src: string;
  dst: string;
  vni: number;
  port: number;
}

/** The HTTP CONNECT an HBONE leg carries. */
export interface Hbone {
  authority: string;
  port: number;
}

/**
 * One packet as the kernel sees it at one point of its journey. Addresses are bare IPs (v4 or v6),
 * ports numbers. `mark` is skb->mark, `connmark` the conntrack mark of its connection in this netns.
 */
export interface Packet {
  proto: Proto;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  mark: number;
  connmark: number;
  zone: number;
  iif?: string;
  oif?: string;
  outer?: Outer;
  hbone?: Hbone;
}

/** `ip:port`, bracketing IPv6 addresses. */
export function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
