import type { Evidence, Link, NetnsData, Packet } from '../../model/index.ts';
import type { RouteResult } from '../routing/lookup.ts';
import type { KernelEnd, Walk } from './kernel.ts';

type Arrival = { kind: 'arrive'; netns: string; pkt: Packet } | (KernelEnd & { kind: 'end' });

/**
 * Crossing a device into the next network namespace. The skb's mark and conntrack state do not
 * survive the crossing (veth scrubs them when the netns changes), so the arriving packet starts clean.
 */
export function transit(w: Walk, ns: NetnsData, netnsId: string, node: string | undefined, pkt: Packet, route: Extract<RouteResult, { kind: 'unicast' }>): Arrival {
  const link = ns.links?.find((l) => l.ifname === route.dev);
  if (link && (link.kind === 'geneve' || link.kind === 'vxlan')) return tunnel(w, netnsId, node, pkt, link, ns);
  if (link && link.kind === 'veth') {
    const peer = vethPeer(w, netnsId, node, link);
    if (peer) return cross(w, netnsId, node, pkt, peer.netns, peer.link.ifname, `veth ${link.ifname} → ${peer.netns} ${peer.link.ifname}`, [link.evidence, peer.link.evidence]);
  }
  if (netnsId.startsWith('node:')) return uplink(w, netnsId, node, pkt, route, link);
  // A pod's device whose peer is not in the snapshot: the pod's veth peer lives in its node's netns.
  if (node) {
    const nodeNs = `node:${node}`;
    const evidence: Evidence[] = link ? [link.evidence] : [{ file: `${ns.dir}/ip-link.json`, missing: true }];
    const status = link ? undefined : ('inferred' as const);
    return cross(w, netnsId, node, pkt, nodeNs, hostVethFor(w, nodeNs, pkt.src) ?? '(host veth)', `${route.dev} → ${nodeNs}`, evidence, status, 'the veth peer is not in the snapshot; a pod\'s veth ends in its node');
  }
  return { kind: 'end', verdict: 'unknown', reason: `cannot tell where device ${route.dev} of ${netnsId} leads` };
}

function cross(w: Walk, from: string, node: string | undefined, pkt: Packet, to: string, iif: string, where: string, evidence: Evidence[], status?: 'inferred', note?: string): Arrival {
  const after: Packet = { ...pkt, iif, oif: undefined, mark: 0, connmark: 0, zone: 0 };
  w.rec.hop({ component: 'kernel', netns: from, node, where, action: `transmit to ${to}`, before: pkt, after, evidence, status, note });
  return { kind: 'arrive', netns: to, pkt: after };
}

/** The other end of a veth: the netns on the same node holding a veth whose index is our peer index and whose peer is us. */
function vethPeer(w: Walk, netnsId: string, node: string | undefined, link: Link): { netns: string; link: Link } | undefined {
  if (link.peerIndex === undefined || !node) return undefined;
  for (const id of w.world.netnsOnNode(node)) {
    if (id === netnsId) continue;
    const other = w.world.netns(id)?.links?.find((l) => l.kind === 'veth' && l.ifindex === link.peerIndex && l.peerIndex === link.ifindex);
    if (other) return { netns: id, link: other };
  }
  return undefined;
}

function hostVethFor(w: Walk, nodeNs: string, podIp: string): string | undefined {
  return w.world.netns(nodeNs)?.routes?.find((r) => r.dst === `${podIp}/32` && r.dev)?.dev;
}

/** Geneve/VXLAN: the inner packet appears on the tunnel device with the same VNI in the netns owning the remote address. */
function tunnel(w: Walk, netnsId: string, node: string | undefined, pkt: Packet, link: Link, ns: NetnsData): Arrival {
  const t = link.tunnel;
  if (!t?.remote) return { kind: 'end', verdict: 'unknown', reason: `${link.kind} device ${link.ifname} in ${netnsId} has no remote address` };
  const target = w.world.netnsOwning(t.remote);
  const local = t.local ?? ns.addrs?.find((a) => a.family === 4 && a.ifname !== 'lo' && a.ifname !== link.ifname)?.local ?? '';
  const outer = { type: link.kind as 'geneve' | 'vxlan', src: local, dst: t.remote, vni: t.id, port: t.port };
  if (!target) return { kind: 'end', verdict: 'unknown', reason: `${link.kind} ${link.ifname} sends to ${t.remote}, which no netns of the snapshot owns` };
  const peer = w.world.netns(target)?.links?.find((l) => l.kind === link.kind && l.tunnel?.id === t.id);
  const evidence: Evidence[] = [link.evidence];
  if (peer) evidence.push(peer.evidence);
  const iif = peer?.ifname ?? link.ifname;
  const after: Packet = { ...pkt, iif, oif: undefined, mark: 0, connmark: 0, zone: 0 };
  w.rec.hop({
    component: 'kernel', netns: netnsId, node, where: `${link.kind} ${link.ifname} (VNI ${t.id}) → ${target} ${iif}`,
    action: `encapsulate to ${t.remote}:${t.port}, decapsulate on ${iif}`, before: pkt, after: { ...after, outer }, evidence,
    status: peer ? undefined : 'inferred', note: peer ? undefined : `no ${link.kind} device with VNI ${t.id} found in ${target}`,
  });
  return { kind: 'arrive', netns: target, pkt: after };
}

/** Leaving a node on its uplink: the next hop's owner is another node (its address, or its pod CIDR). */
function uplink(w: Walk, netnsId: string, node: string | undefined, pkt: Packet, route: Extract<RouteResult, { kind: 'unicast' }>, link: Link | undefined): Arrival {
  const nextHop = route.gateway ?? pkt.dst;
  const owner = w.world.nodeOwning(nextHop) ?? w.world.nodeOwning(pkt.dst);
  if (!owner) return { kind: 'end', verdict: 'unknown', reason: `the packet leaves ${node ?? netnsId} via ${route.dev} towards ${nextHop}, outside the nodes of the snapshot` };
  if (owner.node === node) return { kind: 'end', verdict: 'unknown', reason: `the packet would leave ${node} on ${route.dev} towards its own address ${nextHop}: a routing loop` };
  const target = `node:${owner.node}`;
  const targetNs = w.world.netns(target);
  if (!targetNs) return { kind: 'end', verdict: 'unknown', reason: `the packet reaches node ${owner.node}, whose network namespace is not in the snapshot` };
  const nodeAddrs = w.world.snapshot.k8s.nodes.find((n) => n.name === owner.node)?.addresses.map((a) => a.address) ?? [];
  const iif = targetNs.addrs?.find((a) => nodeAddrs.includes(a.local))?.ifname ?? 'eth0';
  const evidence: Evidence[] = [owner.evidence];
  if (link) evidence.unshift(link.evidence);
  return cross(w, netnsId, node, pkt, target, iif, `${route.dev} → node ${owner.node} (${iif})`, evidence);
}
