import type { WaypointRef, ZtunnelState, ZWorkload } from '../../model/ztunnel.ts';
import { joinHostPort, splitHostPort } from '../../parse/ztunnel/fields.ts';
import { identityOf, indexOf, workloadLabel, type ZIndex } from './lookup.ts';
import { ztunnelOutbound } from './outbound.ts';
import { refText, waypointStep } from './steps.ts';
import { deny, logicFor, type Dst, type ZNext, type ZOutboundResult, type ZStep, type ZtunnelLogic, type ZtunnelOptions } from './types.ts';
import { waypointWorkloads } from './waypoint.ts';

export interface ZInboundConn {
  /** 15008 (HBONE) or 15006 (plaintext). */
  port: number;
  /** The CONNECT authority, for HBONE. */
  authority?: string;
  /** Where the connection was addressed before it was captured (the pod IP and 15008 for HBONE). */
  originalDst?: Dst;
  srcIp: string;
}

/** ztunnel's own listeners; a CONNECT or plaintext connection aimed at one of them would loop (`illegal_ports`). */
const ILLEGAL_PORTS = new Set([15001, 15006, 15008]);

/** Replays ztunnel's inbound handling: the HBONE CONNECT server (15008) or the plaintext listener (15006). */
export function ztunnelInbound(state: ZtunnelState, conn: ZInboundConn, opts?: ZtunnelOptions): ZOutboundResult {
  const logic = logicFor(state.schema, opts);
  const ix = indexOf(state);
  if (conn.port === 15008) return hbone(ix, logic, conn);
  if (conn.port === 15006) return plaintext(ix, logic, conn, opts);
  return end([], deny(`port ${conn.port} is not a ztunnel inbound port (15008 HBONE, 15006 plaintext)`));
}

function end(steps: ZStep[], next: ZNext): ZOutboundResult {
  return { steps, next, alternatives: [] };
}

function workloadStep(w: ZWorkload, summary: string): ZStep {
  return { kind: 'workload', summary, evidence: w.evidence };
}

function hbone(ix: ZIndex, logic: ZtunnelLogic, conn: ZInboundConn): ZOutboundResult {
  const target = conn.authority ? splitHostPort(conn.authority) : undefined;
  if (!target) return end([], deny(`CONNECT authority ${conn.authority ?? '(none)'} is not ip:port (400)`));
  const localIp = conn.originalDst?.ip ?? target.ip;
  if (logic === '1.18' || logic === '1.19-1.21') return hboneNodeLevel(ix, logic, conn.srcIp, target, localIp);
  if (ILLEGAL_PORTS.has(target.port)) return end([], deny(`CONNECT to ztunnel's own port ${target.port} (SelfCall, 400)`));
  const local = ix.workloadByIp(localIp);
  if (!local) return end([], deny(`no workload has the IP ${localIp} the HBONE connection reached (UnknownDestination)`));
  const steps: ZStep[] = [];
  if (target.ip !== localIp) {
    const wp = sandwichWaypoint(ix, target.ip, local, localIp);
    if (!wp) return end([workloadStep(local, `local workload ${workloadLabel(local)} ${localIp}`)], deny(`CONNECT authority ${conn.authority} is neither ${localIp} nor a destination whose waypoint is ${workloadLabel(local)} (IPMismatch, 400)`));
    steps.push(waypointStep(wp, `${conn.authority} has waypoint ${refText(wp)}, which is ${workloadLabel(local)}: delivered to it`));
  }
  const port = local.applicationTunnel?.port ?? target.port;
  steps.push(workloadStep(local, `workload ${workloadLabel(local)} ${joinHostPort(localIp, port)} (HBONE terminated, authority ${conn.authority})`));
  return end(steps, { kind: 'tcp', ip: localIp, port, targetWorkload: local });
}

/** 1.18–1.21: the authority must be the reached IP, and a workload with a waypoint only accepts its waypoint. */
function hboneNodeLevel(ix: ZIndex, logic: ZtunnelLogic, srcIp: string, target: Dst, localIp: string): ZOutboundResult {
  if (target.ip !== localIp) return end([], deny(`CONNECT authority ${joinHostPort(target.ip, target.port)} does not match the reached IP ${localIp} (ip mismatch, 400)`));
  const wl = ix.workloadByIp(target.ip);
  if (!wl) return end([], deny(`no workload has the IP ${target.ip} (unknown destination, 404)`));
  const steps = [workloadStep(wl, `workload ${workloadLabel(wl)} ${joinHostPort(target.ip, target.port)} (HBONE terminated)`)];
  const refs = logic === '1.18' ? (wl.waypoints ?? []) : wl.waypoint ? [wl.waypoint] : [];
  if (refs.length > 0) {
    const src = ix.workloadByIp(srcIp);
    const fromWaypoint = !!src && refs.some((r) => waypointWorkloads(ix, r).some((w) => identityOf(w) === identityOf(src)));
    if (!fromWaypoint) return end([...steps, waypointStep(refs[0]!, `workload has waypoint ${refText(refs[0]!)}; the caller ${srcIp} is not it`)], deny(`bypassed waypoint: ${workloadLabel(wl)} only accepts HBONE from its waypoint ${refText(refs[0]!)} (401)`));
    steps.push(waypointStep(refs[0]!, `caller ${srcIp} is the workload's waypoint ${refText(refs[0]!)}`));
  }
  return end(steps, { kind: 'tcp', ip: target.ip, port: target.port, targetWorkload: wl });
}

/** 1.22+ "sandwich": the authority names a workload or service whose waypoint is the local workload. */
function sandwichWaypoint(ix: ZIndex, authorityIp: string, local: ZWorkload, localIp: string): WaypointRef | undefined {
  const ref = (ix.workloadByIp(authorityIp) ?? ix.serviceByVip(local.network ?? '', authorityIp))?.waypoint;
  if (!ref) return undefined;
  const isLocal = waypointWorkloads(ix, ref).some((w) => w === local || w.ips.includes(localIp));
  return isLocal ? ref : undefined;
}

function plaintext(ix: ZIndex, logic: ZtunnelLogic, conn: ZInboundConn, opts: ZtunnelOptions | undefined): ZOutboundResult {
  const dst = conn.originalDst;
  if (!dst) return end([], deny('plaintext inbound connection without an original destination'));
  const { proxyMode, localIp } = ix.state;
  if (proxyMode === 'Shared' && dst.ip === localIp) return end([], deny(`destination ${dst.ip} is this ztunnel's own IP (SelfCall)`));
  if (logic !== '1.18' && logic !== '1.19-1.21' && ILLEGAL_PORTS.has(dst.port)) return end([], deny(`plaintext connection to ztunnel's own port ${dst.port} (SelfCall)`));
  const wl = ix.workloadByIp(dst.ip);
  if (!wl) return end([], deny(`no workload has the IP ${dst.ip} (UnknownDestination)`));
  const hasWaypoint = logic === '1.18' ? (wl.waypoints?.length ?? 0) > 0 : logic === '1.19-1.21' && wl.waypoint !== undefined;
  if (hasWaypoint) {
    // Plaintext that skipped the waypoint is sent back out through ztunnel's outbound path, which picks the waypoint.
    const out = ztunnelOutbound(ix.state, { srcIp: conn.srcIp, dst }, opts);
    return { ...out, steps: [workloadStep(wl, `workload ${workloadLabel(wl)} ${joinHostPort(dst.ip, dst.port)} has a waypoint: plaintext is proxied as outbound`), ...out.steps] };
  }
  return end([workloadStep(wl, `workload ${workloadLabel(wl)} ${joinHostPort(dst.ip, dst.port)} (plaintext inbound)`)], { kind: 'tcp', ip: dst.ip, port: dst.port, targetWorkload: wl });
}
