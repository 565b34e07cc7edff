import type { Evidence, Finding } from './evidence.ts';

/** The parts of an Envoy `/config_dump` that decide where a connection goes. */

export interface SocketAddr {
  ip: string;
  port: number;
}

export interface FilterChainMatch {
  destinationPort?: number;
  prefixRanges?: string[]; // CIDRs
  sourcePrefixRanges?: string[];
  sourcePorts?: number[];
  transportProtocol?: string; // "tls" | "raw_buffer"
  applicationProtocols?: string[];
  serverNames?: string[];
  directSourcePrefixRanges?: string[];
  /** `ANY` (default), `SAME_IP_OR_LOOPBACK` or `EXTERNAL`. */
  sourceType?: string;
}

export interface WeightedCluster {
  name: string;
  weight: number;
}

/** The network filter that ends a filter chain. */
export type ChainTerminal =
  | { kind: 'tcp_proxy'; cluster?: string; weightedClusters?: WeightedCluster[]; tunnelingHostname?: string; evidence: Evidence }
  | {
      kind: 'http';
      rds?: string;
      routeConfig?: RouteConfig;
      /** HTTP filter names in order. */
      httpFilters?: string[];
      /** An HTTP filter copies the request authority into the `original_dst` local address of the upstream internal connection. */
      authorityToLocalAddress?: boolean;
      evidence: Evidence;
    }
  | { kind: 'other'; name: string; evidence: Evidence };

export interface FilterChain {
  name?: string;
  match: FilterChainMatch;
  terminal?: ChainTerminal;
  /** Names of network filters before the terminal one (RBAC, ext_authz, metadata exchange…). */
  filters: string[];
  /** A network filter shares this connection's local address with the upstream internal connection. */
  sharesLocalAddress?: boolean;
  /** Downstream transport socket (`tls`, `envoy.transport_sockets.tls`…); absent means plaintext. */
  transportSocket?: string;
  evidence: Evidence;
}

/** The input a unified `filter_chain_matcher` tree reads from the connection. */
export type MatcherInput =
  | 'destination-ip'
  | 'destination-port'
  | 'source-ip'
  | 'direct-source-ip'
  | 'source-port'
  | 'source-type'
  | 'server-name'
  | 'transport-protocol'
  | 'application-protocol';

/** What a matcher yields: a filter chain name, or a nested matcher. */
export type MatcherOnMatch = { action: string; evidence: Evidence } | { matcher: ChainMatcher };

/** `filter_chain_matcher` (xDS unified matcher): when present it replaces `filter_chain_match`. */
export interface ChainMatcher {
  /** Known input, or the extension's type name as written. */
  input: MatcherInput | { other: string };
  exact?: Map<string, MatcherOnMatch>;
  prefix?: Map<string, MatcherOnMatch>;
  /** `IPMatcher` ranges, tried most specific first. */
  ranges?: { cidrs: string[]; exclusive: boolean; onMatch: MatcherOnMatch }[];
  onNoMatch?: MatcherOnMatch;
  evidence: Evidence;
}

export interface Listener {
  name: string;
  /** A socket address, or an internal listener (no socket: reached through `envoy_internal_address`). */
  address?: SocketAddr;
  internal?: boolean;
  useOriginalDst: boolean;
  bindToPort: boolean;
  filterChains: FilterChain[];
  defaultFilterChain?: FilterChain;
  filterChainMatcher?: ChainMatcher;
  /** Listener filter names (`envoy.filters.listener.original_dst`, `set_dst_address`…). */
  listenerFilters?: string[];
  /** A listener filter restores the local address from `tunnel.destination` (istio.set_internal_dst_address). */
  setsDstFromTunnel?: boolean;
  /** The `envoy.filters.listener.original_dst` listener filter is configured. */
  originalDstFilter?: boolean;
  trafficDirection?: string;
  evidence: Evidence;
}

export interface RouteMatch {
  prefix?: string;
  path?: string;
  safeRegex?: string;
  headers?: { name: string; value?: string }[];
  /** `connect_matcher`: matches HTTP CONNECT requests only. */
  connect?: boolean;
  /** Default true. */
  caseSensitive?: boolean;
}

export interface RouteEntry {
  name?: string;
  match: RouteMatch;
  cluster?: string;
  weightedClusters?: WeightedCluster[];
  clusterHeader?: string;
  /** direct_response / redirect / other. */
  other?: string;
  /** `direct_response.status`. */
  status?: number;
  evidence: Evidence;
}

export interface VirtualHost {
  name: string;
  domains: string[];
  routes: RouteEntry[];
  evidence: Evidence;
}

export interface RouteConfig {
  name: string;
  virtualHosts: VirtualHost[];
  evidence: Evidence;
}

export type ClusterType = 'EDS' | 'STATIC' | 'ORIGINAL_DST' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'OTHER';

export interface Cluster {
  name: string;
  type: ClusterType;
  /** `tls` (Istio mTLS), `internal_upstream` (to an internal listener), `raw_buffer`, or the name as written. */
  transport: string;
  /** STATIC clusters carry their endpoints inline. */
  inlineEndpoints?: Endpoint[];
  /** `cluster_type.name` for `OTHER`. */
  typeName?: string;
  /** `eds_cluster_config.service_name`: the EDS resource name, when it differs from the cluster name. */
  edsServiceName?: string;
  /** Per-endpoint transport selection: first entry whose `match` is a subset of the endpoint's `envoy.transport_socket_match` metadata. */
  transportSocketMatches?: { name: string; match: Record<string, string>; transport: string; passthroughMetadata?: string[] }[];
  /** `original_dst_lb_config`. */
  originalDstLb?: { upstreamPortOverride?: number; useHttpHeader?: boolean; metadataKey?: { key: string; path: string[] } };
  /** `internal_upstream.passthrough_metadata` host namespaces handed to the internal listener. */
  passthroughMetadata?: string[];
  /** `upstream_bind_config.source_address.address`. */
  bindSource?: string;
  evidence: Evidence;
}

export interface Endpoint {
  address?: SocketAddr;
  /** `envoy_internal_address`: the internal listener it is handed to. */
  internal?: { listener: string; endpointId?: string };
  /** `metadata.filter_metadata.tunnel.destination`: the HBONE target (`ip:port`) for internal endpoints. */
  tunnelDestination?: string;
  /** `tunnel.address`: ORIGINAL_DST override (`ip:15008`) set by `set_dst_address`. */
  tunnelAddress?: string;
  /** `envoy.filters.listener.original_dst` metadata: `local` (the restored local address) and `waypoint` (an ORIGINAL_DST override). */
  originalDstLocal?: string;
  originalDstWaypoint?: string;
  /** `envoy.transport_socket_match` metadata, e.g. `{tlsMode: "istio"}`. */
  transportSocketMatch?: Record<string, string>;
  priority?: number;
  health: string; // HEALTHY, UNHEALTHY, UNKNOWN, DRAINING…
  weight?: number;
  locality?: string;
  evidence: Evidence;
}

export interface EnvoyConfig {
  file: string;
  nodeId?: string;
  /** From the node id's first field: `sidecar`, `waypoint`, `router` (gateway)… */
  role?: string;
  istioVersion?: string;
  listeners: Listener[];
  routeConfigs: Map<string, RouteConfig>;
  clusters: Map<string, Cluster>;
  /** EDS endpoints by cluster name. */
  endpoints: Map<string, Endpoint[]>;
  /** Which sections the dump held (an absent EndpointsConfigDump is not "no endpoints"). */
  sections?: { listeners: boolean; clusters: boolean; routes: boolean; endpoints: boolean };
  /** Well-formed config the engine does not understand (kept, never dropped silently). */
  findings?: Finding[];
}
