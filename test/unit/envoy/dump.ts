/** Builders for small config dumps shaped like Envoy's `/config_dump?include_eds`. */

const T = 'type.googleapis.com/';

export function dump(parts: { listeners?: unknown[]; clusters?: unknown[]; routes?: unknown[]; endpoints?: unknown[]; nodeId?: string }): string {
  const configs: unknown[] = [];
  if (parts.nodeId) configs.push({ '@type': `${T}envoy.admin.v3.BootstrapConfigDump`, bootstrap: { node: { id: parts.nodeId, metadata: { ISTIO_VERSION: '1.24.0' } } } });
  if (parts.listeners) configs.push({ '@type': `${T}envoy.admin.v3.ListenersConfigDump`, dynamic_listeners: parts.listeners.map((l) => ({ name: (l as { name: string }).name, active_state: { listener: l } })) });
  if (parts.clusters) configs.push({ '@type': `${T}envoy.admin.v3.ClustersConfigDump`, dynamic_active_clusters: parts.clusters.map((cluster) => ({ cluster })) });
  if (parts.routes) configs.push({ '@type': `${T}envoy.admin.v3.RoutesConfigDump`, dynamic_route_configs: parts.routes.map((route_config) => ({ route_config })) });
  if (parts.endpoints) configs.push({ '@type': `${T}envoy.admin.v3.EndpointsConfigDump`, dynamic_endpoint_configs: parts.endpoints.map((endpoint_config) => ({ endpoint_config })) });
  return JSON.stringify({ configs });
}

export function listener(name: string, ip: string | undefined, port: number, chains: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const address = ip === undefined ? undefined : { socket_address: { address: ip, port_value: port } };
  return { name, ...(address ? { address } : { internal_listener: {} }), filter_chains: chains, ...extra };
}

export function tcpChain(cluster: string, match?: Record<string, unknown>, name?: string, tunnelHost?: string): Record<string, unknown> {
  const typed_config: Record<string, unknown> = { '@type': `${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`, cluster };
  if (tunnelHost) typed_config.tunneling_config = { hostname: tunnelHost };
  return { ...(name ? { name } : {}), ...(match ? { filter_chain_match: match } : {}), filters: [{ name: 'istio.stats', typed_config: { '@type': `${T}stats.PluginConfig` } }, { name: 'envoy.filters.network.tcp_proxy', typed_config }] };
}

export function httpChain(route: { rds: string } | { inline: unknown }, match?: Record<string, unknown>, name?: string, httpFilters: unknown[] = []): Record<string, unknown> {
  const typed_config: Record<string, unknown> = { '@type': `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`, http_filters: httpFilters };
  if ('rds' in route) typed_config.rds = { route_config_name: route.rds };
  else typed_config.route_config = route.inline;
  return { ...(name ? { name } : {}), ...(match ? { filter_chain_match: match } : {}), filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config }] };
}

export function routeConfig(name: string, vhosts: { name: string; domains: string[]; routes: unknown[] }[]): Record<string, unknown> {
  return { name, virtual_hosts: vhosts };
}

export function eds(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, type: 'EDS', eds_cluster_config: { service_name: name }, ...extra };
}

export const istioTlsMatches = {
  transport_socket_matches: [
    { name: 'tlsMode-istio', match: { tlsMode: 'istio' }, transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: { '@type': `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext` } } },
    { name: 'tlsMode-disabled', match: {}, transport_socket: { name: 'envoy.transport_sockets.raw_buffer', typed_config: { '@type': `${T}envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer` } } },
  ],
};

export function internalUpstream(...hostMetadata: string[]): Record<string, unknown> {
  return {
    transport_socket: {
      name: 'internal_upstream',
      typed_config: {
        '@type': `${T}envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport`,
        passthrough_metadata: hostMetadata.map((name) => ({ kind: { host: {} }, name })),
        transport_socket: { name: 'raw_buffer', typed_config: { '@type': `${T}envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer` } },
      },
    },
  };
}

export const upstreamTls = { transport_socket: { name: 'tls', typed_config: { '@type': `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext` } } };

export function assignment(cluster: string, lbEndpoints: unknown[]): Record<string, unknown> {
  return { cluster_name: cluster, endpoints: [{ lb_endpoints: lbEndpoints }] };
}

export function sockEp(ip: string, port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { endpoint: { address: { socket_address: { address: ip, port_value: port } } }, health_status: 'HEALTHY', ...extra };
}

export function internalEp(listenerName: string, metadata: Record<string, unknown>): Record<string, unknown> {
  return { endpoint: { address: { envoy_internal_address: { server_listener_name: listenerName, endpoint_id: 'x' } } }, health_status: 'HEALTHY', metadata: { filter_metadata: metadata } };
}

export const originalDstFilter = { name: 'envoy.filters.listener.original_dst', typed_config: { '@type': `${T}envoy.extensions.filters.listener.original_dst.v3.OriginalDst` } };
export const setDstFilter = { name: 'set_dst_address', typed_config: { '@type': `${T}udpa.type.v1.TypedStruct`, type_url: `${T}istio.set_internal_dst_address.v1.Config` } };
export const connectAuthorityFilter = { name: 'connect_authority', typed_config: { '@type': `${T}udpa.type.v1.TypedStruct`, type_url: `${T}io.istio.http.connect_authority.Config` } };

export function connectRoute(cluster: string): unknown {
  return routeConfig('default', [{ name: 'default', domains: ['*'], routes: [{ match: { connect_matcher: {} }, route: { cluster, upgrade_configs: [{ upgrade_type: 'CONNECT', connect_config: {} }] } }] }]);
}
