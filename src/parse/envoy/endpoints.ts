import type { Endpoint } from '../../model/envoy.ts';
import { isString, ptr } from '../json.ts';
import { address, arr, type Ctx, evidence, hostPort, obj, optNum, optObj, optStr } from './read.ts';

/** A `ClusterLoadAssignment` (EDS resource or a cluster's inline `load_assignment`). */
export function parseLoadAssignment(ctx: Ctx, v: unknown, pointer: string): { clusterName?: string; endpoints: Endpoint[] } {
  const la = obj(ctx, v, pointer, 'a ClusterLoadAssignment object');
  const endpoints: Endpoint[] = [];
  arr(ctx, la, 'endpoints', pointer).forEach((group, i) => {
    const gp = ptr(pointer, 'endpoints', i);
    const g = obj(ctx, group, gp);
    const priority = optNum(ctx, g, 'priority', gp);
    const locality = localityText(ctx, g, gp);
    arr(ctx, g, 'lb_endpoints', gp).forEach((lbe, j) => {
      endpoints.push(parseLbEndpoint(ctx, lbe, ptr(gp, 'lb_endpoints', j), priority, locality));
    });
  });
  return { clusterName: optStr(ctx, la, 'cluster_name', pointer), endpoints };
}

function localityText(ctx: Ctx, g: Record<string, unknown>, gp: string): string | undefined {
  const loc = optObj(ctx, g, 'locality', gp);
  if (!loc) return undefined;
  const parts = ['region', 'zone', 'sub_zone'].map((k) => optStr(ctx, loc, k, ptr(gp, 'locality')) ?? '');
  return parts.some(Boolean) ? parts.join('/') : undefined;
}

function parseLbEndpoint(ctx: Ctx, v: unknown, pointer: string, priority: number | undefined, locality: string | undefined): Endpoint {
  const lbe = obj(ctx, v, pointer, 'an lb_endpoint object');
  const ep: Endpoint = { health: optStr(ctx, lbe, 'health_status', pointer) ?? 'UNKNOWN', evidence: evidence(ctx, pointer, '') };
  const e = optObj(ctx, lbe, 'endpoint', pointer);
  if (e?.address !== undefined) {
    const a = address(ctx, e.address, ptr(pointer, 'endpoint', 'address'));
    if (a.socket) ep.address = a.socket;
    if (a.internal) ep.internal = a.internal;
  }
  const weight = optNum(ctx, lbe, 'load_balancing_weight', pointer);
  if (weight !== undefined) ep.weight = weight;
  if (priority !== undefined) ep.priority = priority;
  if (locality !== undefined) ep.locality = locality;
  readMetadata(ctx, lbe, pointer, ep);
  ep.evidence.text = `endpoint ${endpointText(ep)} ${ep.health}`;
  return ep;
}

/** Only the metadata namespaces that steer forwarding are kept. */
function readMetadata(ctx: Ctx, lbe: Record<string, unknown>, pointer: string, ep: Endpoint): void {
  const md = optObj(ctx, lbe, 'metadata', pointer);
  const fm = md ? optObj(ctx, md, 'filter_metadata', ptr(pointer, 'metadata')) : undefined;
  if (!fm) return;
  const fp = ptr(pointer, 'metadata', 'filter_metadata');
  const ns = (key: string): Record<string, unknown> | undefined => optObj(ctx, fm, key, fp);
  const tunnel = ns('tunnel');
  if (tunnel) {
    ep.tunnelDestination = optStr(ctx, tunnel, 'destination', ptr(fp, 'tunnel'));
    ep.tunnelAddress = optStr(ctx, tunnel, 'address', ptr(fp, 'tunnel'));
  }
  const od = ns('envoy.filters.listener.original_dst');
  if (od) {
    ep.originalDstLocal = optStr(ctx, od, 'local', ptr(fp, 'envoy.filters.listener.original_dst'));
    ep.originalDstWaypoint = optStr(ctx, od, 'waypoint', ptr(fp, 'envoy.filters.listener.original_dst'));
  }
  const tsm = ns('envoy.transport_socket_match');
  if (tsm) ep.transportSocketMatch = Object.fromEntries(Object.entries(tsm).filter((kv): kv is [string, string] => isString(kv[1])));
  for (const k of ['tunnelDestination', 'tunnelAddress', 'originalDstLocal', 'originalDstWaypoint'] as const) if (ep[k] === undefined) delete ep[k];
}

export function endpointText(ep: Endpoint): string {
  if (ep.address) return hostPort(ep.address);
  if (ep.internal) {
    const target = ep.originalDstLocal ?? ep.tunnelDestination;
    return `internal ${ep.internal.listener}${target ? ` (${target})` : ''}`;
  }
  return '(no address)';
}
