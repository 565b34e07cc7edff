import type { ZService, ZServiceEndpoint, ZWorkload } from '../../model/ztunnel.ts';
import type { ZIndex } from './lookup.ts';
import type { ZtunnelLogic } from './types.ts';

/** Where ztunnel would connect for one choice: the workload and the port on it. */
export interface Upstream {
  workload: ZWorkload;
  port: number;
  service?: ZService;
  endpoint?: ZServiceEndpoint;
}

/** `standard` for what the application dialled; `waypoint` for the lookup of a waypoint at `VIP:15008` (1.23+). */
export type ResolutionMode = 'standard' | 'waypoint';

/** Outcome of resolving a service port: every endpoint ztunnel could pick (it picks at random), or why none. */
export interface ServiceUpstreams {
  upstreams: Upstream[];
  problem?: string;
}

/**
 * The endpoints of `svc` that ztunnel may pick for `svcPort`, in a stable order (healthy first, then by name):
 * the first one is the representative path, the others are alternatives.
 */
export function serviceUpstreams(ix: ZIndex, logic: ZtunnelLogic, src: ZWorkload, svc: ZService, svcPort: number, mode: ResolutionMode): ServiceUpstreams {
  const svcTarget = svc.ports[String(svcPort)];
  if (svcTarget === undefined && (logic !== '1.23+' || mode === 'standard')) return { upstreams: [], problem: `port ${svcPort} is not a port of the service` };
  const picks: Upstream[] = [];
  for (const ep of svc.endpoints) {
    const wl = ix.endpointWorkload(ep);
    if (!wl) continue;
    const port = targetPort(logic, mode, svcPort, svcTarget, ep, wl);
    if (port !== undefined) picks.push({ workload: wl, port, service: svc, endpoint: ep });
  }
  const ranked = rankByLocality(logic, svc, src, picks).sort(stableOrder);
  if (ranked.length === 0) return { upstreams: [], problem: svc.endpoints.length === 0 ? 'the service has no endpoints' : `no endpoint of the service serves port ${svcPort}` };
  return { upstreams: ranked };
}

/**
 * 1.18 lists only the pods that serve `VIP:port`; 1.19–1.22 take the endpoint's own mapping, else the service's;
 * 1.23+ skip a target port of 0 unless the endpoint maps it, and let an application tunnel take the service port.
 */
function targetPort(logic: ZtunnelLogic, mode: ResolutionMode, svcPort: number, svcTarget: number | undefined, ep: ZServiceEndpoint, wl: ZWorkload): number | undefined {
  const epTarget = ep.ports[String(svcPort)];
  if (logic === '1.18') return epTarget;
  if (logic !== '1.23+') return epTarget ?? svcTarget;
  if (mode === 'standard' && (svcTarget ?? 0) === 0 && epTarget === undefined) return undefined;
  if (mode === 'waypoint' && svcTarget === undefined && !wl.applicationTunnel) return undefined;
  if (epTarget !== undefined) return epTarget;
  if (svcTarget !== undefined && svcTarget > 0) return svcTarget;
  return wl.applicationTunnel?.port !== undefined ? svcPort : undefined;
}

/** A service `loadBalancer` keeps only the endpoints that match the source on the most routing preferences, in order. */
function rankByLocality(logic: ZtunnelLogic, svc: ZService, src: ZWorkload, picks: Upstream[]): Upstream[] {
  const lb = svc.loadBalancer;
  if (!lb || logic === '1.18' || logic === '1.19-1.21' || (logic === '1.23+' && lb.mode === 'Standard')) return picks;
  const ranked = picks
    .map((u) => ({ u, rank: matchingPrefix(lb.routingPreferences, src, u.workload) }))
    .filter((r) => lb.mode !== 'Strict' || r.rank === lb.routingPreferences.length);
  const best = Math.max(...ranked.map((r) => r.rank));
  return ranked.filter((r) => r.rank === best).map((r) => r.u);
}

function matchingPrefix(prefs: string[], a: ZWorkload, b: ZWorkload): number {
  let rank = 0;
  for (const scope of prefs) {
    if (scopeValue(scope, a) !== scopeValue(scope, b)) break;
    rank++;
  }
  return rank;
}

function scopeValue(scope: string, w: ZWorkload): string {
  switch (scope) {
    case 'Region':
      return w.locality?.region ?? '';
    case 'Zone':
      return w.locality?.zone ?? '';
    case 'Subzone':
      return w.locality?.subzone ?? '';
    case 'Node':
      return w.node ?? '';
    case 'Cluster':
      return w.clusterId ?? '';
    case 'Network':
      return w.network ?? '';
    default:
      return '';
  }
}

function stableOrder(a: Upstream, b: Upstream): number {
  const health = Number(unhealthy(a)) - Number(unhealthy(b));
  if (health !== 0) return health;
  return `${a.workload.namespace}/${a.workload.name}/${a.workload.ips[0] ?? ''}`.localeCompare(`${b.workload.namespace}/${b.workload.name}/${b.workload.ips[0] ?? ''}`);
}

function unhealthy(u: Upstream): boolean {
  return (u.endpoint?.status ?? u.workload.status) === 'Unhealthy';
}

/**
 * The workload IP ztunnel dials: 1.23+ keep the IP the caller used when it is the workload's, else prefer the caller's
 * address family; earlier releases take any (the first, here). Undefined for a hostname-only workload.
 */
export function pickIp(logic: ZtunnelLogic, wl: ZWorkload, dialled: string): string | undefined {
  if (logic === '1.23+') {
    if (wl.ips.includes(dialled)) return dialled;
    const v6 = dialled.includes(':');
    return wl.ips.find((ip) => ip.includes(':') === v6) ?? wl.ips[0];
  }
  return wl.ips[0];
}
