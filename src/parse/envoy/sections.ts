import type { Cluster, Endpoint, EnvoyConfig, Listener, RouteConfig } from '../../model/envoy.ts';
import { ptr } from '../json.ts';
import { parseCluster } from './clusters.ts';
import { parseLoadAssignment } from './endpoints.ts';
import { parseListener } from './listeners.ts';
import { arr, type Ctx, obj, optObj, optStr, unsupported } from './read.ts';
import { parseRouteConfig } from './routes.ts';

export const DUMP_EXPECTED = 'an Envoy config dump ({"configs": [...]})';

/** Reads one parsed config dump section (`configs[i]`) into the config. */
export type Section = (ctx: Ctx, dump: Record<string, unknown>, pointer: string, cfg: EnvoyConfig) => void;

const SECTIONS: Record<string, Section> = {
  BootstrapConfigDump: readBootstrap,
  ListenersConfigDump: readListeners,
  ClustersConfigDump: readClusters,
  RoutesConfigDump: readRoutes,
  EndpointsConfigDump: readEndpoints,
  ScopedRoutesConfigDump: readScopedRoutes,
  // Key material never enters the model.
  SecretsConfigDump: () => undefined,
};

/** The reader of a section's `@type` (its last dotted segment), if it has one. */
export function sectionOf(type: string): Section | undefined {
  return Object.hasOwn(SECTIONS, type) ? SECTIONS[type] : undefined;
}

function readBootstrap(ctx: Ctx, dump: Record<string, unknown>, pointer: string, cfg: EnvoyConfig): void {
  const bp = ptr(pointer, 'bootstrap');
  const node = optObj(ctx, obj(ctx, dump.bootstrap, bp), 'node', bp);
  if (!node) return;
  const np = ptr(bp, 'node');
  const id = optStr(ctx, node, 'id', np);
  if (id !== undefined) {
    cfg.nodeId = id;
    if (id.includes('~')) cfg.role = id.split('~')[0];
  }
  const md = optObj(ctx, node, 'metadata', np);
  const version = md ? optStr(ctx, md, 'ISTIO_VERSION', ptr(np, 'metadata')) : undefined;
  if (version !== undefined) cfg.istioVersion = version;
}

function readListeners(ctx: Ctx, dump: Record<string, unknown>, pointer: string, cfg: EnvoyConfig): void {
  cfg.sections!.listeners = true;
  arr(ctx, dump, 'static_listeners', pointer).forEach((e, i) => {
    const p = ptr(pointer, 'static_listeners', i);
    cfg.listeners.push(parseListener(ctx, obj(ctx, e, p).listener, ptr(p, 'listener')));
  });
  arr(ctx, dump, 'dynamic_listeners', pointer).forEach((e, i) => {
    const p = ptr(pointer, 'dynamic_listeners', i);
    const entry = obj(ctx, e, p);
    const active = optObj(ctx, entry, 'active_state', p);
    if (active) cfg.listeners.push(parseListener(ctx, active.listener, ptr(p, 'active_state', 'listener')) satisfies Listener);
    else unsupported(ctx, p, `listener ${optStr(ctx, entry, 'name', p) ?? '?'} has no active_state (warming, draining or rejected); it accepts nothing`);
  });
}

function readClusters(ctx: Ctx, dump: Record<string, unknown>, pointer: string, cfg: EnvoyConfig): void {
  cfg.sections!.clusters = true;
  const add = (key: string): void =>
    arr(ctx, dump, key, pointer).forEach((e, i) => {
      const p = ptr(pointer, key, i);
      const c: Cluster = parseCluster(ctx, obj(ctx, e, p).cluster, ptr(p, 'cluster'));
      cfg.clusters.set(c.name, c);
    });
  add('static_clusters');
  add('dynamic_active_clusters');
  if (arr(ctx, dump, 'dynamic_warming_clusters', pointer).length) unsupported(ctx, ptr(pointer, 'dynamic_warming_clusters'), 'warming clusters are not used until they become active');
}

function readRoutes(ctx: Ctx, dump: Record<string, unknown>, pointer: string, cfg: EnvoyConfig): void {
  cfg.sections!.routes = true;
  for (const key of ['static_route_configs', 'dynamic_route_configs']) {
    arr(ctx, dump, key, pointer).forEach((e, i) => {
      const p = ptr(pointer, key, i);
      const rc: RouteConfig = parseRouteConfig(ctx, obj(ctx, e, p).route_config, ptr(p, 'route_config'));
      cfg.routeConfigs.set(rc.name, rc);
    });
  }
}

function readEndpoints(ctx: Ctx, dump: Record<string, unknown>, pointer: string, cfg: EnvoyConfig): void {
  cfg.sections!.endpoints = true;
  for (const key of ['static_endpoint_configs', 'dynamic_endpoint_configs']) {
    arr(ctx, dump, key, pointer).forEach((e, i) => {
      const p = ptr(pointer, key, i);
      const la = parseLoadAssignment(ctx, obj(ctx, e, p).endpoint_config, ptr(p, 'endpoint_config'));
      const name = la.clusterName ?? '';
      const list: Endpoint[] = cfg.endpoints.get(name) ?? [];
      cfg.endpoints.set(name, [...list, ...la.endpoints]);
    });
  }
}

function readScopedRoutes(ctx: Ctx, dump: Record<string, unknown>, pointer: string): void {
  for (const key of ['inline_scoped_route_configs', 'dynamic_scoped_route_configs']) {
    if (arr(ctx, dump, key, pointer).length) unsupported(ctx, ptr(pointer, key), 'scoped route configurations are not evaluated');
  }
}
