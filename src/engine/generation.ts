import type { Generation, Mode, NetnsData, Ruleset, K8s, Evidence } from '../model/index.ts';
import type { World } from './path/world.ts';

export interface GenerationInfo {
  generation: Generation;
  mode: Mode;
  evidence: Evidence[];
  inferred: boolean;
}

/**
 * A pod's data-plane generation, from what its netns and its node actually hold. Istio's chain and
 * table names identify who wrote the rules; labels are consulted only when rules were not captured.
 */
export function detectGeneration(world: World, pod: K8s.Pod): GenerationInfo {
  const ns = world.netns(world.podNetnsId(pod));
  const fromRules = ns ? fromNetns(ns) : undefined;
  if (fromRules) return fromRules;
  const node = pod.node ? world.netns(`node:${pod.node}`) : undefined;
  const member = node?.ipsets?.get('ztunnel-pods-ips')?.members.find((m) => m.value === pod.ip);
  if (member) return { generation: 'ambient-node', mode: 'ambient', evidence: [member.evidence], inferred: false };
  const captured = ns && !(ns.missing.some((f) => f.endsWith('iptables-save.txt')) && ns.missing.some((f) => f.endsWith('nft.json')));
  if (captured || !ns) return fromLabels(world, pod, !captured);
  return fromLabels(world, pod, true);
}

function fromNetns(ns: NetnsData): GenerationInfo | undefined {
  const nft = ns.nftables ? nftGeneration(ns.nftables) : undefined;
  if (nft) return nft;
  const ipt = ns.iptables;
  if (!ipt) return undefined;
  const chain = (table: string, name: string) => ipt.chains.get(`ip/${table}/${name}`) ?? ipt.chains.get(`ip6/${table}/${name}`);
  const prert = chain('mangle', 'ISTIO_PRERT');
  if (prert?.rules.some((r) => r.actions.some((a) => a.kind === 'tproxy'))) return found('ambient-inpod-tproxy', 'ambient', prert.evidence);
  const natPrert = chain('nat', 'ISTIO_PRERT');
  if (natPrert) return found('ambient-inpod-redirect', 'ambient', natPrert.evidence);
  const inbound = chain('nat', 'ISTIO_INBOUND') ?? chain('nat', 'ISTIO_OUTPUT') ?? chain('mangle', 'ISTIO_INBOUND');
  if (inbound) return found('sidecar-iptables', 'sidecar', inbound.evidence);
  return undefined;
}

function nftGeneration(rs: Ruleset): GenerationInfo | undefined {
  for (const chain of rs.chains.values()) {
    if (chain.table.startsWith('istio-ambient')) return found('ambient-inpod-nftables', 'ambient', chain.evidence);
    if (chain.table.startsWith('istio-proxy')) return found('sidecar-nftables', 'sidecar', chain.evidence);
  }
  return undefined;
}

function found(generation: Generation, mode: Mode, evidence: Evidence): GenerationInfo {
  return { generation, mode, evidence: [evidence], inferred: false };
}

/** No capture rules: the pod is outside the mesh — unless its labels say otherwise and rules were not captured. */
function fromLabels(world: World, pod: K8s.Pod, rulesMissing: boolean): GenerationInfo {
  const nsLabels = world.snapshot.k8s.namespaces.find((n) => n.name === pod.namespace)?.labels ?? {};
  const ev = [pod.evidence];
  if (!rulesMissing) return { generation: 'none', mode: 'none', evidence: ev, inferred: false };
  if (pod.containers.some((c) => c.name === 'istio-proxy')) return { generation: 'sidecar-iptables', mode: 'sidecar', evidence: ev, inferred: true };
  if (pod.annotations['ambient.istio.io/redirection'] === 'enabled') return { generation: 'ambient-inpod-redirect', mode: 'ambient', evidence: ev, inferred: true };
  if ((pod.labels['istio.io/dataplane-mode'] ?? nsLabels['istio.io/dataplane-mode']) === 'ambient') return { generation: 'ambient-inpod-redirect', mode: 'ambient', evidence: ev, inferred: true };
  return { generation: 'none', mode: 'none', evidence: ev, inferred: true };
}
