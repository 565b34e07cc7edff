import type { WaypointRef, ZService, ZWorkload } from '../../model/ztunnel.ts';
import { serviceUpstreams, type Upstream } from './balance.ts';
import { identityOf, type ZIndex } from './lookup.ts';
import type { ZtunnelLogic } from './types.ts';

export type WaypointResolution = { upstreams: Upstream[]; service?: ZService } | { error: string };

/**
 * Resolves a waypoint reference to the waypoint pods ztunnel may dial, as `fetch_waypoint` does: an address is
 * looked up as `VIP:hboneMtlsPort` (a service, whose endpoints are the pods) or as a pod IP; 1.23+ also follow
 * a `namespace/hostname` reference. 1.18 lists pod IPs directly.
 */
export function resolveWaypoint(ix: ZIndex, logic: ZtunnelLogic, src: ZWorkload, ref: WaypointRef): WaypointResolution {
  if (ref.hostname) return resolveByHostname(ix, logic, src, ref);
  if (logic === '1.18') {
    const wl = ix.workloadByAddr('', ref.address);
    return wl ? { upstreams: [{ workload: wl, port: ref.port }] } : { error: `waypoint ${ref.address} is no known workload (UnknownWaypoint)` };
  }
  const network = ref.network ?? '';
  const svc = ix.serviceByVip(network, ref.address);
  if (svc) {
    const r = serviceUpstreams(ix, logic, src, svc, ref.port, 'waypoint');
    return r.upstreams.length > 0 ? { upstreams: r.upstreams, service: svc } : { error: `waypoint service ${svc.namespace}/${svc.name} ${ref.address}:${ref.port}: ${r.problem} (UnknownWaypoint)` };
  }
  const wl = ix.workloadByAddr(network, ref.address);
  return wl ? { upstreams: [{ workload: wl, port: ref.port }] } : { error: `waypoint ${network}/${ref.address} is neither a known service nor a workload (UnknownWaypoint)` };
}

function resolveByHostname(ix: ZIndex, logic: ZtunnelLogic, src: ZWorkload, ref: WaypointRef): WaypointResolution {
  const { namespace, hostname } = ref.hostname!;
  if (logic !== '1.23+') return { error: `waypoint referenced by hostname ${namespace}/${hostname}: this ztunnel release cannot look hostnames up ("hostname lookup not supported yet")` };
  const svc = ix.serviceByHostname(namespace, hostname);
  if (svc) {
    const r = serviceUpstreams(ix, logic, src, svc, ref.port, 'waypoint');
    return r.upstreams.length > 0 ? { upstreams: r.upstreams, service: svc } : { error: `waypoint service ${namespace}/${hostname}: ${r.problem} (UnknownWaypoint)` };
  }
  const wl = ix.workloadByHostname(namespace, hostname);
  return wl ? { upstreams: [{ workload: wl, port: ref.port }] } : { error: `waypoint ${hostname} not found (UnknownWaypoint)` };
}

/** The workloads a waypoint reference stands for, without load balancing (for "is the caller that waypoint?"). */
export function waypointWorkloads(ix: ZIndex, ref: WaypointRef): ZWorkload[] {
  const svc = ref.hostname ? ix.serviceByHostname(ref.hostname.namespace, ref.hostname.hostname) : ix.serviceByVip(ref.network ?? '', ref.address);
  if (svc) return svc.endpoints.map((ep) => ix.endpointWorkload(ep)).filter((w): w is ZWorkload => w !== undefined);
  const wl = ref.hostname ? ix.workloadByHostname(ref.hostname.namespace, ref.hostname.hostname) : ix.workloadByAddr(ref.network ?? '', ref.address);
  return wl ? [wl] : [];
}

/** `check_from_waypoint`: the caller has the identity of one of the target's waypoint pods and one of its IPs. */
export function isFromWaypoint(ix: ZIndex, target: ZWorkload, src: ZWorkload, srcIp: string): boolean {
  if (!target.waypoint) return false;
  const id = identityOf(src);
  return waypointWorkloads(ix, target.waypoint).some((w) => identityOf(w) === id && w.ips.includes(srcIp));
}
