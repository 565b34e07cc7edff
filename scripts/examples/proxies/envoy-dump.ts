import type { ExampleSpec, PodSpec } from '../topology.ts';
import { CLUSTER_ID, LAST_UPDATED, VERSION_INFO, canonicalOf, ownerOf, serviceAccountOf, sidecarsSendHbone } from './names.ts';
import { dynamicCluster, dynamicListener, hcm, loadAssignment, socketAddress, typed } from './envoy-xds.ts';
import type { Json } from './envoy-xds.ts';

/**
 * Wraps the dynamic resources of one proxy into Envoy's `/config_dump?include_eds` document: the
 * bootstrap node (id and Istio metadata), the static health and Prometheus listeners the bootstrap
 * declares, then Clusters, Endpoints, Listeners, ScopedRoutes and Routes, in Envoy's order.
 * SecretsConfigDump is left out: snapshots never hold key material.
 */

export interface ProxyResources {
  listeners: Json[];
  clusters: Json[];
  /** ClusterLoadAssignments of the EDS clusters. */
  endpoints: Json[];
  /** Route configurations served over RDS. */
  routes: Json[];
  /** Route configurations written inline in a listener (Envoy lists them as static). */
  inlineRoutes: Json[];
}

export function envoyConfigDump(spec: ExampleSpec, pod: PodSpec, role: 'sidecar' | 'waypoint', r: ProxyResources): Json {
  return {
    configs: [
      bootstrap(spec, pod, role),
      typed('envoy.admin.v3.ClustersConfigDump', {
        version_info: VERSION_INFO,
        static_clusters: STATIC_CLUSTERS.map((c) => ({ cluster: typed('envoy.config.cluster.v3.Cluster', c), last_updated: LAST_UPDATED })),
        dynamic_active_clusters: r.clusters.map(dynamicCluster),
      }),
      typed('envoy.admin.v3.EndpointsConfigDump', {
        static_endpoint_configs: STATIC_CLUSTERS.filter((c) => c.name === 'prometheus_stats' || c.name === 'agent').map((c) =>
          loadAssignment(c.name as string, [{ endpoint: { address: localAddressOf(c) }, health_status: 'HEALTHY', load_balancing_weight: 1 }]),
        ),
        dynamic_endpoint_configs: r.endpoints,
      }),
      typed('envoy.admin.v3.ListenersConfigDump', {
        version_info: VERSION_INFO,
        static_listeners: [healthListener(15090, 'stats', '/stats/prometheus', 'prometheus_stats'), healthListener(15021, 'agent', '/healthz/ready', 'agent')],
        dynamic_listeners: r.listeners.map(dynamicListener),
      }),
      typed('envoy.admin.v3.ScopedRoutesConfigDump'),
      typed('envoy.admin.v3.RoutesConfigDump', {
        static_route_configs: r.inlineRoutes.map((route_config) => ({ route_config: typed('envoy.config.route.v3.RouteConfiguration', route_config), last_updated: LAST_UPDATED })),
        dynamic_route_configs: r.routes.map((route_config) => ({
          version_info: VERSION_INFO,
          route_config: typed('envoy.config.route.v3.RouteConfiguration', route_config),
          last_updated: LAST_UPDATED,
        })),
      }),
    ],
  };
}

/** `<type>~<ip>~<pod>.<ns>~<ns>.svc.cluster.local`, the node id pilot-agent gives Envoy. */
export const nodeIdOf = (pod: PodSpec, role: 'sidecar' | 'waypoint'): string =>
  `${role}~${pod.ip}~${pod.name}.${pod.namespace}~${pod.namespace}.svc.cluster.local`;

function bootstrap(spec: ExampleSpec, pod: PodSpec, role: 'sidecar' | 'waypoint'): Json {
  const canonical = canonicalOf(pod);
  const hbone = role === 'sidecar' && sidecarsSendHbone(spec);
  return typed('envoy.admin.v3.BootstrapConfigDump', {
    bootstrap: {
      node: {
        id: nodeIdOf(pod, role),
        cluster: `${ownerOf(pod).name}.${pod.namespace}`,
        metadata: {
          ISTIO_VERSION: spec.istio,
          CLUSTER_ID,
          MESH_ID: 'cluster.local',
          NAME: pod.name,
          NAMESPACE: pod.namespace,
          NODE_NAME: pod.node,
          INSTANCE_IPS: pod.ip,
          SERVICE_ACCOUNT: serviceAccountOf(pod),
          WORKLOAD_NAME: ownerOf(pod).name,
          INTERCEPTION_MODE: 'REDIRECT',
          LABELS: { app: pod.app, 'service.istio.io/canonical-name': canonical.name, 'service.istio.io/canonical-revision': canonical.revision },
          ...(hbone ? { ENABLE_HBONE: 'true' } : {}),
        },
        user_agent_name: 'envoy',
      },
      admin: { address: socketAddress('127.0.0.1', 15000) },
    },
    last_updated: LAST_UPDATED,
  });
}

const staticCluster = (name: string, address: Json): Json => ({
  name,
  type: 'STATIC',
  connect_timeout: '0.250s',
  load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address } }] }] },
});

const STATIC_CLUSTERS: Json[] = [
  staticCluster('agent', socketAddress('127.0.0.1', 15020)),
  staticCluster('prometheus_stats', socketAddress('127.0.0.1', 15000)),
  staticCluster('sds-grpc', { pipe: { path: './var/run/secrets/workload-spiffe-uds/socket' } }),
  staticCluster('xds-grpc', { pipe: { path: './etc/istio/proxy/XDS' } }),
];

function localAddressOf(cluster: Json): Json {
  const assignment = cluster.load_assignment as { endpoints: { lb_endpoints: { endpoint: { address: Json } }[] }[] };
  return assignment.endpoints[0].lb_endpoints[0].endpoint.address;
}

function healthListener(port: number, statPrefix: string, prefix: string, cluster: string): Json {
  const routeConfig = { virtual_hosts: [{ name: 'backend', domains: ['*'], routes: [{ match: { prefix }, route: { cluster } }] }] };
  return {
    listener: typed('envoy.config.listener.v3.Listener', {
      address: socketAddress('0.0.0.0', port),
      filter_chains: [{ filters: [hcm(statPrefix, { routeConfig })] }],
    }),
    last_updated: LAST_UPDATED,
  };
}
