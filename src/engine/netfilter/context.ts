import type { AddrType, CtState, IpSet, Rule } from '../../model/netfilter.ts';
import type { Packet } from '../../model/packet.ts';

/** What one network namespace tells the evaluator beyond the rules themselves. */
export interface NfContext {
  /** `-m set`; nft named sets come from `Ruleset.sets`. */
  ipsets?: Map<string, IpSet>;
  /** Addresses of this netns (addrtype LOCAL, nft `fib daddr type local`). */
  localAddrs: string[];
  /** Primary address of an interface in the packet's family: REDIRECT's new destination, MASQUERADE's new source. */
  ifaceAddr(ifname: string, family?: 4 | 6): string | undefined;
  /**
   * `-m socket` and TPROXY's listener lookup; undefined means unknown. `nowildcard` asks for a socket
   * bound to the exact address. `mark` is the socket's SO_MARK when known (`--restore-skmark`).
   */
  socketLookup?(pkt: Packet, opts?: { nowildcard?: boolean }): { found: boolean; transparent?: boolean; mark?: number } | undefined;
  /** The sending socket's owner, for locally generated packets; absent for forwarded and received ones. */
  owner?: { uid?: number; gid?: number };
  /** `-m statistic`: whether the representative path takes the rule (default: it does). */
  decide?(rule: Rule): boolean;
  /** Conntrack state of the packet's connection; default NEW (the first packet the path follows). */
  ctstate?: CtState[];
  /** Address type as routing decides it (blackhole, unreachable…); the evaluator falls back to local/multicast/unicast. */
  addrType?(ip: string): AddrType | undefined;
}
