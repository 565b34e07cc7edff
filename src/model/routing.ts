import type { Evidence } from './evidence.ts';

/** Well-known table ids (`/etc/iproute2/rt_tables`). */
export const TABLE_LOCAL = 255;
export const TABLE_MAIN = 254;
export const TABLE_DEFAULT = 253;

export interface IpRule {
  family: 4 | 6;
  priority: number;
  not?: boolean;
  src?: string; // CIDR
  dst?: string; // CIDR
  iif?: string;
  oif?: string;
  fwmark?: { value: number; mask: number };
  action: 'lookup' | 'goto' | 'blackhole' | 'unreachable' | 'prohibit' | 'nop';
  /** For `lookup`. */
  table?: number;
  /** For `goto`: the priority to continue at. */
  target?: number;
  /** `goto` whose target priority has no rule: the kernel skips it. */
  unresolved?: boolean;
  /** iif/oif names a device absent from the netns: the kernel never matches the rule. */
  detached?: boolean;
  /** `ipproto`: protocol number (6 tcp, 17 udp, …). */
  ipproto?: number;
  sport?: { start: number; end: number };
  dport?: { start: number; end: number };
  /** `suppress_prefixlength N`: a lookup result with a prefix of N bits or fewer is ignored. */
  suppressPrefixlen?: number;
  /** Selectors present in the rule that routing does not evaluate (`tos`, `uidrange`, `l3mdev`, …). */
  unsupported?: string[];
  evidence: Evidence;
}

export type RouteType = 'unicast' | 'local' | 'broadcast' | 'multicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw' | 'anycast';

export interface Route {
  family: 4 | 6;
  table: number;
  type: RouteType;
  /** CIDR; `default` becomes `0.0.0.0/0` or `::/0`. */
  dst: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  scope?: string;
  metric?: number;
  onlink?: boolean;
  /** Multipath routes (`nexthop via … dev …`); `gateway`/`dev` then repeat the first. */
  nexthops?: { gateway?: string; dev?: string; weight?: number; onlink?: boolean }[];
  evidence: Evidence;
}

export interface Address {
  ifname: string;
  ifindex: number;
  family: 4 | 6;
  local: string;
  prefixlen: number;
  evidence: Evidence;
}

export type LinkKind = 'loopback' | 'veth' | 'geneve' | 'vxlan' | 'bridge' | 'dummy' | 'ether' | 'other';

export interface Link {
  ifindex: number;
  ifname: string;
  kind: LinkKind;
  up: boolean;
  mtu?: number;
  address?: string; // MAC
  /** veth: the peer's ifindex (`link_index`), in the netns `linkNetnsid` when set. */
  peerIndex?: number;
  linkNetnsid?: number;
  master?: string;
  tunnel?: { id: number; remote?: string; local?: string; port: number };
  evidence: Evidence;
}

/** A listening socket from `ss -Htlnpe`. */
export interface Socket {
  proto: 'tcp' | 'udp';
  /** `0.0.0.0`, `::`, `*` or a concrete address. */
  addr: string;
  port: number;
  process?: string;
  pid?: number;
  uid?: number;
  /** `v6only:1` / `v6only:0` from `ss -e`; a `::` listener with v6only accepts no IPv4. */
  v6only?: boolean;
  /** Device the socket is bound to (`127.0.0.1%lo:53`). */
  iface?: string;
  /** SO_MARK (`fwmark:` of `ss -e`, printed only when set); a listener's mark is its SYN-ACKs' mark. */
  mark?: number;
  evidence: Evidence;
}

/** Everything known about one network namespace (a node's host netns or a pod's). */
export interface NetnsData {
  /** `node:<node>` or `pod:<namespace>/<pod>`. */
  id: string;
  /** Folder in the snapshot, e.g. `nodes/node-a`. */
  dir: string;
  iptables?: import('./netfilter.ts').Ruleset;
  ip6tables?: import('./netfilter.ts').Ruleset;
  nftables?: import('./netfilter.ts').Ruleset;
  ipsets?: Map<string, import('./netfilter.ts').IpSet>;
  addrs?: Address[];
  links?: Link[];
  rules?: IpRule[];
  routes?: Route[];
  sockets?: Socket[];
  envoy?: import('./envoy.ts').EnvoyConfig;
  ztunnel?: import('./ztunnel.ts').ZtunnelState;
  /** Files of the netns folder that were absent (relative to the snapshot root). */
  missing: string[];
}
