import type { Evidence, Finding, Hop, NetnsData } from '../../model/index.ts';
import type { World } from '../path/world.ts';
import { istioRules, type WalkedPath } from './path-facts.ts';

/**
 * A netns on the path holds Istio rules in both iptables and nftables (a backend switch that left the old
 * rules behind). Both are evaluated by the kernel; the finding says which backend decided each hop.
 */
export function mixedBackends(world: World, path: WalkedPath): Finding[] {
  const seen = [...new Set(path.hops.map((h) => h.netns))];
  return seen.flatMap((netns) => {
    const ns = world.netns(netns);
    const rules = ns ? istioRules(ns) : {};
    if (!rules.iptables || !rules.nftables) return [];
    const decided = path.hops.filter((h) => h.netns === netns && /^(iptables|ip6tables|nftables) /.test(h.where));
    const backendOf = (where: string): string => where.split(' ')[0];
    const idle = ['iptables', 'nftables'].filter((b) => !decided.some((h) => backendOf(h.where).startsWith(b === 'iptables' ? 'ip' : 'nft')));
    const who = [...decided.map((h) => `hop ${h.n} by ${backendOf(h.where)} (${h.action})`), ...idle.map((b) => `${b} decided no hop`)].join(', ');
    return [{
      code: 'mixed-backends',
      severity: 'warning',
      message: `${netns} holds Istio rules in both iptables and nftables; ${who ? `decided here: ${who}` : 'neither decided a hop of this path'}`,
      hops: decided.map((h) => h.n),
      // The rules that decided, then the Istio rules of the backend that decided nothing.
      evidence: [...decided.flatMap((h) => h.evidence), ...idle.map((b) => sameHookChain(ns, b, decided) ?? (b === 'iptables' ? rules.iptables : rules.nftables) as Evidence)],
      fix: 'only one backend should hold Istio rules: after switching istio-cni between iptables and nftables, recreate the pod (or reboot the node) so the stale rules of the other backend are gone',
    }];
  });
}

/** The idle backend's Istio base chain on the hook where the other backend decided (`iptables nat/OUTPUT → …` → output). */
function sameHookChain(ns: NetnsData | undefined, backend: string, decided: Hop[]): Evidence | undefined {
  const hooks = new Set(decided.map((h) => /^\S+ \w+\/(\w+)/.exec(h.where)?.[1]?.toLowerCase()));
  const rs = backend === 'iptables' ? ns?.iptables : ns?.nftables;
  const chains = rs ? [...rs.chains.values()] : [];
  const istio = (c: (typeof chains)[number]): boolean => c.name.startsWith('ISTIO_') || c.table.startsWith('istio');
  return chains.find((c) => c.base && hooks.has(c.base.hook) && (istio(c) || c.rules.some((r) => r.actions.some((a) => a.kind === 'jump' && a.chain.toUpperCase().startsWith('ISTIO')))))?.evidence;
}
