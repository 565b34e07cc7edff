import type { K8s, NetnsData, Snapshot, Evidence } from '../../model/index.ts';
import { cidrContains } from '../net/cidr.ts';

/**
 * The snapshot seen from the tracer: which network namespace holds an address, which node a netns
 * belongs to, which ztunnel serves a node. Built once per trace from the Kubernetes lists and the
 * netns folders; nothing here reads files.
 */
export class World {
  private readonly podByIp = new Map<string, K8s.Pod>();
  private readonly nodeByIp = new Map<string, K8s.Node>();

  constructor(readonly snapshot: Snapshot) {
    for (const pod of snapshot.k8s.pods) {
      if (pod.hostNetwork) continue;
      for (const ip of pod.ips.length ? pod.ips : pod.ip ? [pod.ip] : []) this.podByIp.set(ip, pod);
    }
    for (const node of snapshot.k8s.nodes) for (const a of node.addresses) this.nodeByIp.set(a.address, node);
  }

  netns(id: string): NetnsData | undefined {
    return this.snapshot.netns.get(id);
  }

  netnsIds(): string[] {
    return [...this.snapshot.netns.keys()];
  }

  podNetnsId(pod: K8s.Pod): string {
    return `pod:${pod.namespace}/${pod.name}`;
  }

  podOf(netnsId: string): K8s.Pod | undefined {
    if (!netnsId.startsWith('pod:')) return undefined;
    const [ns, name] = netnsId.slice(4).split('/');
    return this.snapshot.k8s.pods.find((p) => p.namespace === ns && p.name === name);
  }

  podByAddress(ip: string): K8s.Pod | undefined {
    return this.podByIp.get(ip);
  }

  /** The node a netns lives on. */
  nodeOf(netnsId: string): string | undefined {
    if (netnsId.startsWith('node:')) return netnsId.slice(5);
    return this.podOf(netnsId)?.node;
  }

  /** The node that owns an address: one of its own addresses, or an address in its pod CIDR. */
  nodeOwning(ip: string): { node: string; evidence: Evidence } | undefined {
    const direct = this.nodeByIp.get(ip);
    if (direct) return { node: direct.name, evidence: direct.evidence };
    for (const node of this.snapshot.k8s.nodes) {
      if (node.podCIDRs.some((c) => cidrContains(c, ip))) return { node: node.name, evidence: { ...node.evidence, text: `node ${node.name} podCIDR ${node.podCIDRs.join(',')}` } };
    }
    const pod = this.podByIp.get(ip);
    if (pod?.node) return { node: pod.node, evidence: pod.evidence };
    return undefined;
  }

  /** The netns that owns an address on a node: a pod on it with that IP, else the node itself when the address is one of the node's. */
  netnsOwning(ip: string): string | undefined {
    const pod = this.podByIp.get(ip);
    if (pod) return this.podNetnsId(pod);
    const node = this.nodeByIp.get(ip);
    if (node) return `node:${node.name}`;
    for (const id of this.netnsIds()) {
      if (this.netns(id)?.addrs?.some((a) => a.local === ip)) return id;
    }
    return undefined;
  }

  /** The ztunnel pod of a node (DaemonSet pod labelled app=ztunnel), whose config dump describes the node's ambient mesh. */
  ztunnelPodOn(node: string): K8s.Pod | undefined {
    return this.snapshot.k8s.pods.find((p) => p.node === node && (p.labels['app'] === 'ztunnel' || p.owners.some((o) => o.kind === 'DaemonSet' && o.name === 'ztunnel')));
  }

  /** Netns ids of everything on one node: the host and its pods. */
  netnsOnNode(node: string): string[] {
    return this.netnsIds().filter((id) => this.nodeOf(id) === node);
  }
}
