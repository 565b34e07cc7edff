import type { WaypointRef, ZtunnelState, ZWorkload } from '../../model/ztunnel.ts';
import { joinHostPort } from '../../parse/ztunnel/fields.ts';
import { pickIp, serviceUpstreams, type Upstream } from './balance.ts';
import { outbound118 } from './legacy.ts';
import { indexOf, workloadLabel, type ZIndex } from './lookup.ts';
import { refText, serviceStep, sourceStep, upstreamSteps, waypointStep } from './steps.ts';
import { choose, deny, HBONE_PORT, logicFor, type Dst, type Pick, type ZNext, type ZOutboundResult, type ZStep, type ZtunnelLogic, type ZtunnelOptions } from './types.ts';
import { isFromWaypoint, resolveWaypoint } from './waypoint.ts';

/** One outbound decision: who asks, for what, under which release's rules. */
export interface Ctx {
  ix: ZIndex;
  logic: ZtunnelLogic;
  src: ZWorkload;
  srcIp: string;
  dst: Dst;
  pick: Pick | undefined;
}

/** Replays ztunnel's outbound `build_request` for one connection captured from `srcIp` to `dst`. */
export function ztunnelOutbound(state: ZtunnelState, conn: { srcIp: string; dst: Dst; pick?: Pick }, opts?: ZtunnelOptions): ZOutboundResult {
  const logic = logicFor(state.schema, opts);
  const ix = indexOf(state);
  if (logic === '1.18') return outbound118(ix, conn.srcIp, conn.dst, conn.pick);
  const src = ix.workloadByIp(conn.srcIp);
  if (!src) return { steps: [], next: deny(`source ${conn.srcIp} is no workload in the config dump; ztunnel rejects the connection (UnknownSource)`), alternatives: [] };
  const r = outboundFrom({ ix, logic, src, srcIp: conn.srcIp, dst: conn.dst, pick: conn.pick });
  return { ...r, steps: [sourceStep(src, conn.srcIp), ...r.steps] };
}

function outboundFrom(c: Ctx): ZOutboundResult {
  const { ix, logic, dst } = c;
  const network = c.src.network ?? '';
  const steps: ZStep[] = [];
  // 1.22+: the workload at an address wins over a service VIP; only service-addressed traffic uses the service's waypoint.
  const svc = logic === '1.19-1.21' || ix.workloadByAddr(network, dst.ip) ? undefined : ix.serviceByVip(network, dst.ip);
  if (svc?.waypoint) {
    steps.push(serviceStep(svc, dst, `has waypoint ${refText(svc.waypoint)}`));
    return viaWaypoint(c, svc.waypoint, undefined, steps);
  }
  const target = svc ?? ix.serviceByVip(network, dst.ip);
  const found = target ? serviceUpstreams(ix, logic, c.src, target, dst.port, 'standard') : undefined;
  const direct = ix.workloadByAddr(network, dst.ip);
  const upstreams: Upstream[] = found ? found.upstreams : direct ? [{ workload: direct, port: dst.port }] : [];
  if (target && found) steps.push(serviceStep(target, dst, upstreams.length > 0 ? `→ targetPort ${upstreams[0]!.port}` : `: ${found.problem}`));
  if (upstreams.length === 0) {
    if (svc && logic === '1.23+') return { steps, next: deny(`service ${svc.namespace}/${svc.name} has no usable endpoint for port ${dst.port} (NoHealthyUpstream)`), alternatives: [] };
    return { steps, next: { kind: 'passthrough', ip: dst.ip, port: dst.port }, alternatives: [] };
  }
  const ordered = choose(c.pick, `endpoint:${target?.namespace}/${target?.name}:${dst.port}`, upstreams, (u) => `endpoint ${workloadLabel(u.workload)} ${u.workload.ips[0] ?? ''}`);
  const [first, ...others] = ordered.map((u) => toUpstream(c, u, svc !== undefined, ordered.length));
  return { steps: [...steps, ...first!.steps], next: first!.next, alternatives: [...first!.alternatives, ...others.map((o) => o.next)] };
}

/** The decision once an upstream workload is chosen: its waypoint (when this release consults it), else the workload itself. */
function toUpstream(c: Ctx, u: Upstream, svcAddressed: boolean, of: number): ZOutboundResult {
  const ip = pickIp(c.logic, u.workload, c.dst.ip);
  const steps = upstreamSteps(u, ip, of);
  const wp = u.workload.waypoint;
  if (wp) {
    if (c.logic === '1.19-1.21') return viaWaypoint(c, wp, u.workload, steps);
    if (svcAddressed) steps.push(waypointStep(wp, `workload waypoint ${refText(wp)} not used: the connection was addressed to a service without a waypoint`));
    else if (isFromWaypoint(c.ix, u.workload, c.src, c.srcIp)) steps.push(waypointStep(wp, `source is the workload's waypoint ${refText(wp)}: not sent through it again`));
    else return viaWaypoint(c, wp, u.workload, steps);
  }
  if (!ip) return { steps, next: deny(`workload ${workloadLabel(u.workload)} has no IP; ztunnel resolves ${u.workload.hostname} by DNS when it connects, which the snapshot cannot replay`), alternatives: [] };
  const next: ZNext =
    u.workload.protocol === 'HBONE'
      ? { kind: 'hbone', ip, port: HBONE_PORT, authority: joinHostPort(ip, u.port), via: 'destination', targetWorkload: u.workload }
      : { kind: 'tcp', ip, port: u.port, targetWorkload: u.workload };
  return { steps, next, alternatives: [] };
}

/** HBONE to a waypoint pod on the port its service maps `hboneMtlsPort` to; the CONNECT keeps the address the app dialled. */
function viaWaypoint(c: Ctx, ref: WaypointRef, target: ZWorkload | undefined, steps: ZStep[]): ZOutboundResult {
  const r = resolveWaypoint(c.ix, c.logic, c.src, ref);
  const owner = target ? `workload ${workloadLabel(target)}` : 'service';
  if ('error' in r) return { steps: [...steps, waypointStep(ref, `${owner} waypoint ${refText(ref)}: ${r.error}`)], next: deny(r.error), alternatives: [] };
  const authority = joinHostPort(c.dst.ip, c.dst.port);
  const pods = choose(c.pick, `waypoint:${refText(ref)}`, r.upstreams, (u) => `waypoint ${workloadLabel(u.workload)} ${u.workload.ips[0] ?? ''}`);
  const nexts = pods.flatMap((u): ZNext[] => {
    const ip = pickIp(c.logic, u.workload, ref.address);
    return ip ? [{ kind: 'hbone', ip, port: u.port, authority, via: 'waypoint', ...(target ? { targetWorkload: target } : {}) }] : [];
  });
  const first = nexts[0];
  if (!first || first.kind !== 'hbone') return { steps, next: deny(`waypoint ${refText(ref)} has no pod with an IP`), alternatives: [] };
  steps.push(waypointStep(ref, `${owner} waypoint ${refText(ref)} → ${workloadLabel(pods[0]!.workload)} ${joinHostPort(first.ip, first.port)} (HBONE, authority ${authority})`));
  return { steps, next: first, alternatives: nexts.slice(1) };
}
