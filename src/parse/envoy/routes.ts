import type { RouteConfig, RouteEntry, RouteMatch, VirtualHost, WeightedCluster } from '../../model/envoy.ts';
import { ptr } from '../json.ts';
import { arr, type Ctx, evidence, obj, optBool, optNum, optObj, optStr, str, strList, unsupported } from './read.ts';

/** A `RouteConfiguration`, from RDS or inline in a connection manager. */
export function parseRouteConfig(ctx: Ctx, v: unknown, pointer: string): RouteConfig {
  const rc = obj(ctx, v, pointer, 'a route_config object');
  const name = optStr(ctx, rc, 'name', pointer) ?? '';
  const virtualHosts = arr(ctx, rc, 'virtual_hosts', pointer).map((vh, i) => parseVirtualHost(ctx, vh, ptr(pointer, 'virtual_hosts', i)));
  return { name, virtualHosts, evidence: evidence(ctx, pointer, `route_config ${name || '(unnamed)'}: ${virtualHosts.length} virtual host(s)`) };
}

function parseVirtualHost(ctx: Ctx, v: unknown, pointer: string): VirtualHost {
  const vh = obj(ctx, v, pointer, 'a virtual_host object');
  const name = optStr(ctx, vh, 'name', pointer) ?? '';
  const domains = strList(ctx, vh, 'domains', pointer);
  const routes = arr(ctx, vh, 'routes', pointer).map((r, i) => parseRoute(ctx, r, ptr(pointer, 'routes', i)));
  return { name, domains, routes, evidence: evidence(ctx, pointer, `virtual_host ${name} domains ${domains.join(',')}`) };
}

function parseRoute(ctx: Ctx, v: unknown, pointer: string): RouteEntry {
  const r = obj(ctx, v, pointer, 'a route object');
  const match = parseMatch(ctx, obj(ctx, r.match ?? {}, ptr(pointer, 'match')), ptr(pointer, 'match'));
  const entry: RouteEntry = { name: optStr(ctx, r, 'name', pointer), match, evidence: evidence(ctx, pointer, '') };
  const action = optObj(ctx, r, 'route', pointer);
  if (action) {
    const p = ptr(pointer, 'route');
    entry.cluster = optStr(ctx, action, 'cluster', p);
    entry.clusterHeader = optStr(ctx, action, 'cluster_header', p);
    const wc = optObj(ctx, action, 'weighted_clusters', p);
    if (wc) entry.weightedClusters = parseWeighted(ctx, wc, ptr(p, 'weighted_clusters'));
    if (!entry.cluster && !entry.clusterHeader && !entry.weightedClusters) {
      entry.other = 'route';
      unsupported(ctx, p, 'route action names no cluster, cluster_header or weighted_clusters');
    }
  } else if (r.direct_response !== undefined) {
    entry.other = 'direct_response';
    entry.status = optNum(ctx, obj(ctx, r.direct_response, ptr(pointer, 'direct_response')), 'status', ptr(pointer, 'direct_response'));
  } else {
    entry.other = r.redirect !== undefined ? 'redirect' : Object.keys(r).find((k) => k !== 'match' && k !== 'name') ?? 'none';
  }
  entry.evidence.text = `route ${entry.name ?? ''} ${matchText(match)} → ${routeTarget(entry)}`.replace('  ', ' ');
  return entry;
}

export function parseWeighted(ctx: Ctx, wc: Record<string, unknown>, pointer: string): WeightedCluster[] {
  return arr(ctx, wc, 'clusters', pointer).map((c, i) => {
    const p = ptr(pointer, 'clusters', i);
    const o = obj(ctx, c, p);
    return { name: str(ctx, o, 'name', p), weight: optNum(ctx, o, 'weight', p) ?? 0 };
  });
}

function parseMatch(ctx: Ctx, m: Record<string, unknown>, pointer: string): RouteMatch {
  const out: RouteMatch = {};
  out.prefix = optStr(ctx, m, 'prefix', pointer);
  out.path = optStr(ctx, m, 'path', pointer);
  const sr = optObj(ctx, m, 'safe_regex', pointer);
  if (sr) out.safeRegex = str(ctx, sr, 'regex', ptr(pointer, 'safe_regex'));
  if (m.connect_matcher !== undefined) out.connect = true;
  out.caseSensitive = optBool(ctx, m, 'case_sensitive', pointer);
  const headers = arr(ctx, m, 'headers', pointer);
  if (headers.length) {
    out.headers = headers.map((h, i) => {
      const p = ptr(pointer, 'headers', i);
      const o = obj(ctx, h, p);
      const sm = optObj(ctx, o, 'string_match', p);
      return { name: str(ctx, o, 'name', p), value: optStr(ctx, o, 'exact_match', p) ?? (sm ? optStr(ctx, sm, 'exact', ptr(p, 'string_match')) : undefined) };
    });
  }
  const known = ['prefix', 'path', 'safe_regex', 'connect_matcher', 'case_sensitive', 'headers', 'grpc', 'query_parameters'];
  const odd = Object.keys(m).filter((k) => !known.includes(k));
  if (odd.length) unsupported(ctx, pointer, `route match ${odd.join(', ')} is not evaluated`);
  for (const k of Object.keys(out) as (keyof RouteMatch)[]) if (out[k] === undefined) delete out[k];
  return out;
}

function matchText(m: RouteMatch): string {
  if (m.connect) return 'CONNECT';
  if (m.path !== undefined) return `path ${m.path}`;
  if (m.prefix !== undefined) return `prefix ${m.prefix}`;
  if (m.safeRegex !== undefined) return `regex ${m.safeRegex}`;
  return 'any';
}

function routeTarget(r: RouteEntry): string {
  if (r.cluster) return r.cluster;
  if (r.weightedClusters) return r.weightedClusters.map((w) => `${w.name}(${w.weight})`).join(' ');
  if (r.clusterHeader) return `cluster from header ${r.clusterHeader}`;
  return r.other ?? '?';
}
