import type { ZService, ZWorkload } from '../../model/ztunnel.ts';
import { joinHostPort, splitHostPort } from '../../parse/ztunnel/fields.ts';
import { serviceUpstreams, type Upstream } from './balance.ts';
import { workloadLabel, type ZIndex } from './lookup.ts';
import { serviceStep, sourceStep, upstreamSteps, waypointStep } from './steps.ts';
import { choose, deny, HBONE_PORT, type Dst, type Pick, type ZNext, type ZOutboundResult } from './types.ts';
import { resolveWaypoint } from './waypoint.ts';

/**
 * 1.18's node-level `build_request`: `VIP:port` → a pod (at random), else the pod at that IP, else passthrough.
 * The chosen pod's own `waypointAddresses` decide the waypoint, even when a VIP was dialled.
 */
export function outbound118(ix: ZIndex, srcIp: string, dst: Dst, pick: Pick | undefined): ZOutboundResult {
  const { proxyMode, localIp } = ix.state;
  if (proxyMode === 'Shared' && localIp === dst.ip) return { steps: [], next: deny(`destination ${dst.ip} is this ztunnel's own IP (SelfCall)`), alternatives: [] };
  const src = ix.workloadByAddr('', srcIp);
  if (!src) return { steps: [], next: deny(`source ${srcIp} is no workload in the config dump; ztunnel rejects the connection (UnknownSource)`), alternatives: [] };
  const steps = [sourceStep(src, srcIp)];
  const svc = vipService(ix, dst);
  const upstreams = svc ? serviceUpstreams(ix, '1.18', src, svc, dst.port, 'standard').upstreams : direct(ix.workloadByAddr('', dst.ip), dst.port);
  if (svc) steps.push(serviceStep(svc, dst, upstreams.length > 0 ? `→ targetPort ${upstreams[0]!.port}` : ': no pod serves it'));
  if (upstreams.length === 0) return { steps, next: { kind: 'passthrough', ip: dst.ip, port: dst.port }, alternatives: [] };
  const ordered = choose(pick, `endpoint:${dst.ip}:${dst.port}`, upstreams, (u) => `endpoint ${workloadLabel(u.workload)} ${u.workload.ips[0] ?? ''}`);
  const [first, ...others] = ordered.map((u) => decide(ix, src, dst, u, ordered.length));
  return { steps: [...steps, ...first!.steps], next: first!.next, alternatives: [...first!.alternatives, ...others.map((o) => o.next)] };
}

/** 1.18 keys its VIP table by `VIP:port`, so a VIP dialled on a port it does not list is not a service. */
function vipService(ix: ZIndex, dst: Dst): ZService | undefined {
  const svc = ix.serviceByVip('', dst.ip);
  return svc && svc.ports[String(dst.port)] !== undefined ? svc : undefined;
}

function direct(wl: ZWorkload | undefined, port: number): Upstream[] {
  return wl ? [{ workload: wl, port }] : [];
}

function decide(ix: ZIndex, src: ZWorkload, dst: Dst, u: Upstream, of: number): ZOutboundResult {
  const wl = u.workload;
  const ip = wl.ips[0]!;
  const steps = upstreamSteps(u, ip, of);
  const waypoints = wl.waypoints ?? (wl.waypoint ? [wl.waypoint] : []);
  if (waypoints.length > 0) {
    const nexts: ZNext[] = [];
    for (const ref of waypoints) {
      const r = resolveWaypoint(ix, '1.18', src, ref);
      nexts.push('error' in r ? deny(r.error) : { kind: 'hbone', ip: ref.address, port: HBONE_PORT, authority: joinHostPort(dst.ip, dst.port), via: 'waypoint', targetWorkload: wl });
    }
    const ref = waypoints[0]!;
    steps.push(waypointStep(ref, `workload ${workloadLabel(wl)} waypoint ${joinHostPort(ref.address, HBONE_PORT)} (HBONE, authority ${joinHostPort(dst.ip, dst.port)})`));
    return { steps, next: nexts[0]!, alternatives: nexts.slice(1) };
  }
  const gw = (wl.gatewayAddress && splitHostPort(wl.gatewayAddress)) || (wl.protocol === 'HBONE' ? { ip, port: HBONE_PORT } : { ip, port: u.port });
  if (wl.protocol === 'TCP') return { steps, next: { kind: 'tcp', ip: gw.ip, port: gw.port, targetWorkload: wl }, alternatives: [] };
  const next: ZNext = { kind: 'hbone', ip: gw.ip, port: gw.port, authority: joinHostPort(ip, u.port), via: 'destination', targetWorkload: wl };
  // Same node and not natively HBONE: the node ztunnel hands the stream to its own inbound handler.
  if (wl.node && wl.node === ix.state.localNode && ix.state.proxyMode === 'Shared' && !wl.nativeTunnel) {
    next.sameNode = true;
    next.port = HBONE_PORT;
  }
  return { steps, next, alternatives: [] };
}
