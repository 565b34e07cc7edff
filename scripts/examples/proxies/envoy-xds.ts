import { LAST_UPDATED as UPDATED, VERSION_INFO as VERSION, minorOf, spiffeOf } from './names.ts';
import type { ExampleSpec } from '../topology.ts';

/**
 * Envoy resources in the form istiod generates them (pilot/pkg/networking/core at the release tag), reduced
 * to the fields that decide where a connection goes plus the ones that make a dump recognisable.
 * Certificates appear only as SDS references: no key material is ever written.
 */

export type Json = Record<string, unknown>;

export const typed = (type: string, fields: Json = {}): Json => ({ '@type': `type.googleapis.com/${type}`, ...fields });

export const socketAddress = (address: string, port: number): Json => ({ socket_address: { address, port_value: port } });

export const internalAddress = (listener: string, endpointId?: string): Json => ({
  envoy_internal_address: { server_listener_name: listener, ...(endpointId ? { endpoint_id: endpointId } : {}) },
});

const ADS = { ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' };

const sds = (name: string): Json => ({
  name,
  sds_config: {
    api_config_source: { api_type: 'GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'sds-grpc' } }], set_node_on_first_message_only: true, transport_api_version: 'V3' },
    initial_fetch_timeout: '0s',
    resource_api_version: 'V3',
  },
});

export function commonTlsContext(alpn: string[], sanMatchers: Json[]): Json {
  return {
    tls_params: { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' },
    alpn_protocols: alpn,
    tls_certificate_sds_secret_configs: [sds('default')],
    combined_validation_context: { default_validation_context: { match_subject_alt_names: sanMatchers }, validation_context_sds_secret_config: sds('ROOTCA') },
  };
}

/** HBONE's TLS: TLS 1.3 only, h2, peers of the trust domain. */
function connectTlsContext(sanMatchers: Json[]): Json {
  return {
    tls_params: { tls_minimum_protocol_version: 'TLSv1_3', tls_maximum_protocol_version: 'TLSv1_3' },
    alpn_protocols: ['h2'],
    tls_certificate_sds_secret_configs: [sds('default')],
    combined_validation_context: {
      default_validation_context: { match_typed_subject_alt_names: sanMatchers.map((matcher) => ({ san_type: 'URI', matcher })) },
      validation_context_sds_secret_config: sds('ROOTCA'),
    },
  };
}

export const rawBuffer = (name = 'envoy.transport_sockets.raw_buffer'): Json => ({
  name,
  typed_config: typed('envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer'),
});

export function tcpProxy(cluster: string, extra: Json = {}): Json {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: typed('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', { stat_prefix: cluster, cluster, ...extra }),
  };
}

export const statsFilter = (): Json => ({ name: 'istio.stats', typed_config: typed('stats.PluginConfig') });

export const metadataExchange = (): Json => ({
  name: 'istio.metadata_exchange',
  typed_config: typed('envoy.tcp.metadataexchange.config.MetadataExchange', { protocol: 'istio-peer-exchange' }),
});

export const listenerFilter = (short: string, type: string, extra: Json = {}): Json => ({
  name: `envoy.filters.listener.${short}`,
  typed_config: typed(type),
  ...extra,
});

export const ORIGINAL_DST_FILTER = listenerFilter('original_dst', 'envoy.extensions.filters.listener.original_dst.v3.OriginalDst');
export const TLS_INSPECTOR = listenerFilter('tls_inspector', 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector');
export const HTTP_INSPECTOR = listenerFilter('http_inspector', 'envoy.extensions.filters.listener.http_inspector.v3.HttpInspector');

const ROUTER = { name: 'envoy.filters.http.router', typed_config: typed('envoy.extensions.filters.http.router.v3.Router') };

/** An HTTP connection manager with either an RDS name or an inline route configuration. */
export function hcm(statPrefix: string, routing: { rds: string } | { routeConfig: Json }, extra: Json = {}): Json {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: typed('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
      stat_prefix: statPrefix,
      ...('rds' in routing ? { rds: { config_source: ADS, route_config_name: routing.rds } } : { route_config: routing.routeConfig }),
      http_filters: [ROUTER],
      use_remote_address: false,
      upgrade_configs: [{ upgrade_type: 'websocket' }],
      stream_idle_timeout: '0s',
      normalize_path: true,
      path_with_escaped_slashes_action: 'KEEP_UNCHANGED',
      ...extra,
    }),
  };
}

/**
 * Copies the CONNECT authority into the filter state that `main_internal`'s original_dst listener filter
 * restores as the connection's local address, as istiod's `connect_authority` filter does.
 */
const CONNECT_AUTHORITY: Json = {
  name: 'connect_authority',
  typed_config: typed('envoy.extensions.filters.http.set_filter_state.v3.Config', {
    on_request_headers: [
      { object_key: 'envoy.filters.listener.original_dst.local_ip', format_string: { text_format_source: { inline_string: '%REQ(:AUTHORITY)%' } }, shared_with_upstream: 'ONCE' },
      { object_key: 'envoy.filters.listener.original_dst.remote_ip', format_string: { text_format_source: { inline_string: '%DOWNSTREAM_REMOTE_ADDRESS%' } }, shared_with_upstream: 'ONCE' },
    ],
  }),
};

/** The one-route configuration istiod writes for inbound and waypoint chains. */
export function inboundRouteConfig(name: string, vhost: string, cluster: string, operation: string): Json {
  return {
    name,
    virtual_hosts: [
      {
        name: vhost,
        domains: ['*'],
        routes: [
          {
            match: { prefix: '/' },
            route: { cluster, timeout: '0s', max_stream_duration: { max_stream_duration: '0s', grpc_timeout_header_max: '0s' } },
            decorator: { operation },
            name: 'default',
          },
        ],
      },
    ],
    validate_clusters: false,
  };
}

export const dynamicListener = (listener: Json): Json => ({
  name: listener.name,
  active_state: { version_info: VERSION, listener: typed('envoy.config.listener.v3.Listener', listener), last_updated: UPDATED },
});

export const dynamicCluster = (cluster: Json): Json => ({ version_info: VERSION, cluster: typed('envoy.config.cluster.v3.Cluster', cluster), last_updated: UPDATED });

const CIRCUIT_BREAKERS = {
  thresholds: [{ max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295, track_remaining: true }],
};

export function edsCluster(name: string, fields: Json): Json {
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS, service_name: name },
    connect_timeout: '10s',
    circuit_breakers: CIRCUIT_BREAKERS,
    ...fields,
  };
}

export function originalDstCluster(name: string, fields: Json = {}): Json {
  return { name, type: 'ORIGINAL_DST', connect_timeout: '10s', lb_policy: 'CLUSTER_PROVIDED', circuit_breakers: CIRCUIT_BREAKERS, cleanup_interval: '60s', ...fields };
}

export const istioServiceMetadata = (services: { host: string; name: string; namespace: string }[], extra: Json = {}): Json => ({
  filter_metadata: { istio: { ...extra, services } },
});

/** Sidecar-side mutual TLS toward another sidecar, selected per endpoint by `tlsMode: istio`. */
export function istioMtlsSocket(sni: string, namespace: string, sa: string): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: typed('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', {
      common_tls_context: commonTlsContext(['istio-peer-exchange', 'istio'], [{ exact: spiffeOf(namespace, sa) }]),
      sni,
    }),
  };
}

/** The name of the metadata that carries the HBONE target through the internal listener, by version. */
export const tunnelMetadataKey = (spec: ExampleSpec): string => (minorOf(spec) >= 20 ? 'envoy.filters.listener.original_dst' : 'tunnel');

/** `hbone` transport socket match: endpoints marked `tunnel: http` go to the internal listener. */
export function hboneSocketMatch(spec: ExampleSpec): Json {
  const passthrough = [
    { kind: { host: {} }, name: tunnelMetadataKey(spec) },
    { kind: { cluster: {} }, name: 'istio' },
    { kind: { host: {} }, name: 'istio' },
  ];
  return {
    name: 'hbone',
    match: { tunnel: 'http' },
    transport_socket: {
      name: minorOf(spec) >= 20 ? 'envoy.transport_sockets.internal_upstream' : 'internal_upstream',
      typed_config: typed('envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport', {
        passthrough_metadata: passthrough,
        transport_socket: rawBuffer(),
      }),
    },
  };
}

/** Internal upstream that hands only the HBONE target metadata through (waypoint `inbound-vip` clusters). */
export function tunnelHostSocket(spec: ExampleSpec): Json {
  return {
    name: 'internal_upstream',
    typed_config: typed('envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport', {
      passthrough_metadata: [{ kind: { host: {} }, name: tunnelMetadataKey(spec) }],
      transport_socket: rawBuffer('raw_buffer'),
    }),
  };
}

const H2_CONNECT = {
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': typed('envoy.extensions.upstreams.http.v3.HttpProtocolOptions', {
    explicit_http_config: { http2_protocol_options: { allow_connect: true } },
  }),
};

/**
 * `connect_originate`: the cluster behind the internal listener of the same name, which opens the CONNECT.
 * 1.18 learns the target (`ip:15008`) from the `tunnel.address` metadata (set_dst_address listener filter);
 * later releases dial the original destination with the port overridden to 15008, or the `waypoint` metadata.
 */
export function connectOriginateCluster(spec: ExampleSpec, sanPrefixNamespace?: string): Json {
  const san = sanPrefixNamespace ? [{ prefix: `spiffe://cluster.local/ns/${sanPrefixNamespace}/sa/` }] : [];
  const common = {
    name: 'connect_originate',
    type: 'ORIGINAL_DST',
    connect_timeout: minorOf(spec) >= 20 ? '10s' : '2s',
    lb_policy: 'CLUSTER_PROVIDED',
    cleanup_interval: '60s',
    typed_extension_protocol_options: H2_CONNECT,
    transport_socket: {
      name: 'tls',
      typed_config: typed('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', { common_tls_context: connectTlsContext(san) }),
    },
  };
  // Before 1.20 the HBONE port came from `tunnel.address`; the override also covers a waypoint's direct
  // chains, whose internal connection carries no tunnel metadata.
  if (minorOf(spec) < 20) return { ...common, original_dst_lb_config: { upstream_port_override: 15008 } };
  return {
    ...common,
    circuit_breakers: CIRCUIT_BREAKERS,
    original_dst_lb_config: {
      upstream_port_override: 15008,
      metadata_key: { key: 'envoy.filters.listener.original_dst', path: [{ key: 'waypoint' }] },
    },
  };
}

/** The internal listener that turns a plain stream into an HBONE CONNECT to `%DOWNSTREAM_LOCAL_ADDRESS%`. */
export function connectOriginateListener(spec: ExampleSpec): Json {
  const setDst =
    minorOf(spec) >= 20
      ? ORIGINAL_DST_FILTER
      : { name: 'set_dst_address', typed_config: typed('udpa.type.v1.TypedStruct', { type_url: 'type.googleapis.com/istio.set_internal_dst_address.v1.Config' }) };
  return {
    name: 'connect_originate',
    filter_chains: [
      { filters: [tcpProxy('connect_originate', { stat_prefix: 'connect_originate', tunneling_config: { hostname: '%DOWNSTREAM_LOCAL_ADDRESS%' } })] },
    ],
    use_original_dst: false,
    listener_filters: [setDst],
    internal_listener: {},
  };
}

/** An EDS endpoint that reaches `destination` over HBONE through `connect_originate`. */
export function hboneEndpoint(spec: ExampleSpec, destination: string, opts: { tunnelTo?: string; workload: string; socketMatch: boolean }): Json {
  const [ip] = destination.split(':');
  const metadata: Json =
    minorOf(spec) >= 20
      ? { 'envoy.filters.listener.original_dst': { local: destination, ...(opts.tunnelTo ? { waypoint: opts.tunnelTo } : {}) } }
      : { tunnel: { address: opts.tunnelTo ?? `${ip}:15008`, destination } };
  return {
    endpoint: { address: internalAddress('connect_originate', destination), health_check_config: {} },
    health_status: 'HEALTHY',
    metadata: {
      filter_metadata: {
        ...metadata,
        ...(opts.socketMatch ? { 'envoy.transport_socket_match': { tunnel: 'http' } } : {}),
        istio: { workload: opts.workload },
      },
    },
    load_balancing_weight: 1,
  };
}

export function socketEndpoint(ip: string, port: number, workload: string, tlsMode: boolean): Json {
  return {
    endpoint: { address: socketAddress(ip, port), health_check_config: {} },
    health_status: 'HEALTHY',
    metadata: { filter_metadata: { istio: { workload }, ...(tlsMode ? { 'envoy.transport_socket_match': { tlsMode: 'istio' } } : {}) } },
    load_balancing_weight: 1,
  };
}

export function loadAssignment(cluster: string, lbEndpoints: Json[]): Json {
  return {
    endpoint_config: typed('envoy.config.endpoint.v3.ClusterLoadAssignment', {
      cluster_name: cluster,
      endpoints: lbEndpoints.length > 0 ? [{ locality: {}, lb_endpoints: lbEndpoints, load_balancing_weight: lbEndpoints.length }] : [],
      policy: { overprovisioning_factor: 140 },
    }),
  };
}

/** A STATIC cluster whose single endpoint is an internal listener (`main_internal`, `encap`). */
export function internalCluster(name: string, listener: string): Json {
  return {
    name,
    type: 'STATIC',
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: internalAddress(listener) } }] }] },
    transport_socket: {
      name: 'internal_upstream',
      typed_config: typed('envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport', { transport_socket: rawBuffer('raw_buffer') }),
    },
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': typed('envoy.extensions.upstreams.http.v3.HttpProtocolOptions', {
        use_downstream_protocol_config: {},
        common_http_protocol_options: { idle_timeout: '300s' },
      }),
    },
  };
}

/** `connect_terminate` 0.0.0.0:15008: the HBONE server side, every CONNECT handed to `main_internal`. */
export function connectTerminateListener(): Json {
  const route = {
    match: { connect_matcher: {} },
    route: { cluster: 'main_internal', upgrade_configs: [{ upgrade_type: 'CONNECT', connect_config: {} }] },
  };
  const manager = hcm(
    'connect_terminate',
    { routeConfig: { name: 'default', virtual_hosts: [{ name: 'default', domains: ['*'], routes: [route] }] } },
    {
      http2_protocol_options: { max_concurrent_streams: 100, allow_connect: true },
      server_name: 'istio-envoy',
      forward_client_cert_details: 'APPEND_FORWARD',
      set_current_client_cert_details: { subject: true, dns: true, uri: true },
      upgrade_configs: [{ upgrade_type: 'CONNECT' }],
      http_filters: [CONNECT_AUTHORITY, ROUTER],
    },
  );
  return {
    name: 'connect_terminate',
    address: socketAddress('0.0.0.0', 15008),
    filter_chains: [
      {
        filters: [manager],
        transport_socket: {
          name: 'tls',
          typed_config: typed('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
            common_tls_context: connectTlsContext([{ prefix: `spiffe://cluster.local/` }]),
            require_client_certificate: true,
          }),
        },
        name: 'default',
      },
    ],
  };
}
