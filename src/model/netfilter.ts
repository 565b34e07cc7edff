import type { Evidence } from './evidence.ts';

/**
 * One model for iptables and nftables rule sets. Parsers of `iptables-save` and `nft -j list ruleset`
 * both produce a `Ruleset`; the evaluator never knows which text it came from.
 */

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
export type ChainType = 'filter' | 'nat' | 'route';
export type NfFamily = 'ip' | 'ip6' | 'inet';

/** Value and mask as the kernel compares them: `(field & mask) == value`. */
export interface Masked {
  value: number;
  mask: number;
}

/** Inclusive port range. */
export type PortRange = [number, number];

export type AddrType =
  | 'UNSPEC' | 'UNICAST' | 'LOCAL' | 'BROADCAST' | 'ANYCAST' | 'MULTICAST'
  | 'BLACKHOLE' | 'UNREACHABLE' | 'PROHIBIT' | 'THROW' | 'NAT' | 'XRESOLVE';

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED' | 'SNAT' | 'DNAT';

/** A condition on a packet. Every match may be negated (`! -s …`, `!=`). */
export type Match = { negate?: boolean } & (
  | { kind: 'proto'; protos: string[] }
  /**
   * The packet's network family. nft `ip …`/`ip6 …` selectors in an `inet` table carry this implicit
   * dependency (an IPv6 packet never matches `ip daddr != 127.0.0.1`); iptables rulesets are single-family.
   */
  | { kind: 'nfproto'; family: 'ipv4' | 'ipv6' }
  | { kind: 'saddr' | 'daddr'; cidrs: string[] }
  | { kind: 'iif' | 'oif'; names: string[] } // iptables `+` wildcard kept as written (`veth+`)
  | { kind: 'sport' | 'dport'; ranges: PortRange[] }
  | { kind: 'mark' | 'connmark'; masked: Masked }
  | { kind: 'uid' | 'gid'; ranges: PortRange[] }
  | { kind: 'socket-exists' }
  | { kind: 'set'; name: string; dirs: ('src' | 'dst')[] } // ipset, or a named nft set
  | { kind: 'addrtype'; src?: AddrType[]; dst?: AddrType[]; limitIfaceIn?: boolean; limitIfaceOut?: boolean }
  | { kind: 'ctstate'; states: CtState[] }
  | { kind: 'statistic'; mode: 'random'; probability: number }
  | { kind: 'statistic'; mode: 'nth'; every: number; packet: number }
  | { kind: 'socket'; transparent: boolean; nowildcard: boolean; restoreSkmark: boolean }
  | { kind: 'ctzone'; zone: number }
  | { kind: 'physdev'; in?: string; out?: string; isBridged?: boolean }
  | { kind: 'comment'; text: string }
  | { kind: 'unsupported'; text: string }
);

/**
 * What a matching rule does. Terminal actions end the traversal of the chain (or of the hook);
 * the others change the packet or its connection and go on.
 */
export type Action =
  | { kind: 'accept' }
  | { kind: 'drop' }
  | { kind: 'reject'; with?: string }
  | { kind: 'return' }
  | { kind: 'jump' | 'goto'; chain: string }
  | { kind: 'redirect'; ports?: PortRange }
  /** iptables TPROXY ends the traversal (NF_ACCEPT); nft `tproxy` does not, hence `nonTerminal`. */
  | { kind: 'tproxy'; port: number; ip?: string; mark?: Masked; nonTerminal?: boolean }
  | { kind: 'dnat'; addr?: string; ports?: PortRange }
  | { kind: 'snat'; addr?: string; ports?: PortRange }
  | { kind: 'masquerade'; ports?: PortRange }
  /** skb mark := (mark & ~clear) ^ xor  — every iptables MARK and nft `meta mark set` form reduces to this. */
  | { kind: 'mark'; clear: number; xor: number }
  /** ct mark := (ctmark & ~clear) ^ xor */
  | { kind: 'connmark-set'; clear: number; xor: number }
  /** ct mark := (ctmark & ~ctmask) ^ (mark & nfmask)   (CONNMARK --save-mark) */
  | { kind: 'connmark-save'; nfmask: number; ctmask: number }
  /** mark := (mark & ~nfmask) ^ (ctmark & ctmask)   (CONNMARK --restore-mark) */
  | { kind: 'connmark-restore'; nfmask: number; ctmask: number }
  | { kind: 'ct'; zone?: number; notrack?: boolean }
  | { kind: 'log'; prefix?: string }
  | { kind: 'trace' }
  | { kind: 'counter' }
  | { kind: 'unsupported'; text: string };

export interface Rule {
  /** `table/chain` it belongs to (see `chainKey`). */
  chain: string;
  /** 0-based position in its chain. */
  index: number;
  matches: Match[];
  /** In order. iptables rules have at most one; nft rules may have several (`meta mark set … counter accept`). */
  actions: Action[];
  counters?: { packets: number; bytes: number };
  evidence: Evidence;
}

export interface BaseChain {
  hook: Hook;
  /** Lower runs first. iptables tables map to their nftables-equivalent priorities (raw −300, mangle −150, nat dstnat −100, filter 0, security 50, nat srcnat 100). */
  priority: number;
  type: ChainType;
  policy: 'accept' | 'drop';
}

export interface Chain {
  family: NfFamily;
  table: string;
  name: string;
  base?: BaseChain;
  rules: Rule[];
  /** Policy counters of a built-in chain (`iptables-save -c`). */
  counters?: { packets: number; bytes: number };
  evidence: Evidence;
}

export interface Ruleset {
  /** Which tool's dump this came from; decides how findings name it. */
  backend: 'iptables' | 'ip6tables' | 'nftables';
  /** Keyed by `chainKey(family, table, name)`. */
  chains: Map<string, Chain>;
  /** Named nft sets, `family/table/name` → elements (IPs, CIDRs or ports as strings). */
  sets: Map<string, string[]>;
  /**
   * Tables of family ip/ip6 that iptables-nft owns (raw/mangle/nat/filter/security with upper-case built-in chains).
   * They repeat what `iptables-save.txt` holds; readers drop them when that file is present.
   */
  iptablesNftTables: string[];
  /**
   * Parts of an nft dump the model cannot evaluate (tables of family netdev/bridge/arp, ingress/egress hooks).
   * Readers report them as unsupported; absent when there are none.
   */
  unevaluated?: { what: string; evidence: Evidence }[];
}

export function chainKey(family: NfFamily, table: string, name: string): string {
  return `${family}/${table}/${name}`;
}

/** An ipset from `ipset save`. */
export interface IpSet {
  name: string;
  type: string;
  /** `family inet` / `family inet6` of the create line, when stated. */
  family?: 'inet' | 'inet6';
  /** Members as written (`10.244.1.5`, `10.244.0.0/16`, `10.0.0.1,tcp:80`). */
  members: { value: string; evidence: Evidence; /** `nomatch`: a hash:net exception inside a wider member. */ nomatch?: boolean }[];
  evidence: Evidence;
}
