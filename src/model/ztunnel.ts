import type { Evidence } from './evidence.ts';

/** ztunnel's view of the mesh, normalised across every `/config_dump` schema from 1.18 to today. */

/**
 * Which dump schema it was read from (see the corpus README §4):
 * `legacy-1.18` (node-level ambient, `workloads` keyed by bare IP, `vips`), `by-addr-1.19` (1.19–1.21 `by_addr`/`by_vip`),
 * `maps-1.22` (`workloads`/`services` maps keyed `network/IP`), `arrays-1.23` (1.23+ `workloads`/`services` arrays).
 */
export type ZtunnelSchema = 'legacy-1.18' | 'by-addr-1.19' | 'maps-1.22' | 'arrays-1.23';

/** ztunnel keys every address by network; the default network is the empty string. */
export interface NetworkAddress {
  network: string;
  ip: string;
}

export interface WaypointRef {
  /** The waypoint's address (a workload IP or a service VIP), or its hostname when `hostname` is set. */
  address: string;
  /** HBONE port on the waypoint (15008). */
  port: number;
  /** Network of an address reference ('' is the default network). */
  network?: string;
  /** Set when the reference is `namespace/hostname` rather than `network/IP`. */
  hostname?: { namespace: string; hostname: string };
  evidence: Evidence;
}

export interface ZLocality {
  region?: string;
  zone?: string;
  subzone?: string;
}

export interface ZWorkload {
  uid?: string;
  name: string;
  namespace: string;
  serviceAccount?: string;
  trustDomain?: string;
  ips: string[];
  /** DNS name of a workload that has no IP (ztunnel resolves it when it connects). */
  hostname?: string;
  network?: string;
  node?: string;
  clusterId?: string;
  locality?: ZLocality;
  protocol: 'HBONE' | 'TCP';
  waypoint?: WaypointRef;
  /** 1.18 `waypointAddresses`: every waypoint the workload lists (`waypoint` is the first). */
  waypoints?: WaypointRef[];
  /** 1.18 `gatewayAddress` (`ip:port`), which overrides where ztunnel connects when set. */
  gatewayAddress?: string;
  /** `nativeHbone` (1.18) / `nativeTunnel` (1.19+): the workload terminates HBONE itself. */
  nativeTunnel?: boolean;
  /** 1.22+: the workload accepts the tunnel itself (e.g. a waypoint speaking PROXY), optionally on another port. */
  applicationTunnel?: { protocol: string; port?: number };
  /** `Healthy` or `Unhealthy`. */
  status?: string;
  evidence: Evidence;
}

export interface ZServiceEndpoint {
  /** Workload UID or IP identifying the backend. */
  workload: string;
  address?: string;
  /** servicePort → targetPort, when the endpoint states it. */
  ports: Record<string, number>;
  /** 1.24+: `Healthy` or `Unhealthy`. */
  status?: string;
  evidence: Evidence;
}

export interface ZLoadBalancer {
  /** `Standard`, `Strict`, `Failover` (and `Passthrough` on master). */
  mode: string;
  /** `Region`, `Zone`, `Subzone`, `Node`, `Cluster`, `Network`, in preference order. */
  routingPreferences: string[];
  healthPolicy?: string;
}

export interface ZService {
  name: string;
  namespace: string;
  hostname: string;
  vips: string[];
  /** The same VIPs with their networks. */
  networkVips?: NetworkAddress[];
  /** servicePort → targetPort (0 means "same as the service port"). */
  ports: Record<string, number>;
  endpoints: ZServiceEndpoint[];
  waypoint?: WaypointRef;
  loadBalancer?: ZLoadBalancer;
  subjectAltNames?: string[];
  evidence: Evidence;
}

export interface ZtunnelState {
  file: string;
  schema: ZtunnelSchema;
  /** 1.18 `proxy_mode` (`Shared` = node-level) and `local_node`, when present. */
  proxyMode?: string;
  localNode?: string;
  /** 1.18 `config.local_ip`: the ztunnel pod's own IP. */
  localIp?: string;
  workloads: ZWorkload[];
  services: ZService[];
}
