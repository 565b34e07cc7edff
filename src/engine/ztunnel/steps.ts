import type { WaypointRef, ZService, ZWorkload } from '../../model/ztunnel.ts';
import { joinHostPort } from '../../parse/ztunnel/fields.ts';
import type { Upstream } from './balance.ts';
import { serviceLabel, workloadLabel } from './lookup.ts';
import type { ZStep } from './types.ts';

export function sourceStep(w: ZWorkload, ip: string): ZStep {
  return { kind: 'source-workload', summary: `source workload ${workloadLabel(w)} ${ip} (${w.protocol})`, evidence: w.evidence };
}

export function serviceStep(s: ZService, dst: { ip: string; port: number }, detail: string): ZStep {
  return { kind: 'service', summary: `${serviceLabel(s)} ${joinHostPort(dst.ip, dst.port)} ${detail}`, evidence: s.evidence };
}

export function upstreamSteps(u: Upstream, ip: string | undefined, of: number): ZStep[] {
  const steps: ZStep[] = [];
  const at = ip ? joinHostPort(ip, u.port) : `hostname ${u.workload.hostname}:${u.port}`;
  if (u.endpoint) steps.push({ kind: 'endpoint', summary: `endpoint ${workloadLabel(u.workload)} ${at}${of > 1 ? ` (one of ${of}; ztunnel picks at random)` : ''}`, evidence: u.endpoint.evidence });
  steps.push({ kind: 'workload', summary: `workload ${workloadLabel(u.workload)} ${at} (${u.workload.protocol})`, evidence: u.workload.evidence });
  return steps;
}

export function waypointStep(ref: WaypointRef, summary: string): ZStep {
  return { kind: 'waypoint', summary, evidence: ref.evidence };
}

export function refText(ref: WaypointRef): string {
  return ref.hostname ? `${ref.hostname.namespace}/${ref.hostname.hostname}:${ref.port}` : `${joinHostPort(ref.address, ref.port)}`;
}
