import type { BaseChain, ChainType, Hook } from '../../model/netfilter.ts';

/** The iptables tables, and the hooks their built-in chains attach to. */
export const IPTABLES_TABLES: Record<string, Partial<Record<string, Hook>>> = {
  raw: { PREROUTING: 'prerouting', OUTPUT: 'output' },
  mangle: { PREROUTING: 'prerouting', INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output', POSTROUTING: 'postrouting' },
  nat: { PREROUTING: 'prerouting', INPUT: 'input', OUTPUT: 'output', POSTROUTING: 'postrouting' },
  filter: { INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output' },
  security: { INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output' },
};

/** NF_IP_PRI_* of each table (include/uapi/linux/netfilter_ipv4.h); nat depends on the hook (DNAT −100, SNAT 100). */
export function iptablesPriority(table: string, hook: Hook): number {
  switch (table) {
    case 'raw':
      return -300;
    case 'mangle':
      return -150;
    case 'nat':
      return hook === 'prerouting' || hook === 'output' ? -100 : 100;
    case 'security':
      return 50;
    default:
      return 0;
  }
}

/** iptables-nft registers mangle OUTPUT as a `route` chain (a changed mark re-routes the packet). */
function iptablesChainType(table: string, hook: Hook): ChainType {
  if (table === 'nat') return 'nat';
  return table === 'mangle' && hook === 'output' ? 'route' : 'filter';
}

/** The base of a built-in iptables chain, or undefined when the name is not built in for that table. */
export function iptablesBase(table: string, chain: string, policy: 'accept' | 'drop'): BaseChain | undefined {
  const hook = IPTABLES_TABLES[table]?.[chain];
  if (!hook) return undefined;
  return { hook, priority: iptablesPriority(table, hook), type: iptablesChainType(table, hook), policy };
}

/**
 * Where the nat core runs a hook's nat chains. The kernel registers one nat hook per hook at
 * NF_IP_PRI_NAT_DST (−100, prerouting/output) or NF_IP_PRI_NAT_SRC (100, input/postrouting) and
 * calls every nat chain (iptables' and nftables') from there, in their own priority order.
 */
export function natCorePriority(hook: Hook): number {
  return hook === 'prerouting' || hook === 'output' ? -100 : 100;
}
