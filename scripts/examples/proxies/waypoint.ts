import type { ExampleSpec, PodSpec, ServiceSpec } from '../topology.ts';
import { backendsOf, hostOf, minorOf } from './names.ts';
import {
  HTTP_INSPECTOR,
  ORIGINAL_DST_FILTER,
  connectOriginateCluster,
  connectOriginateListener,
  connectTerminateListener,
  edsCluster,
  hboneEndpoint,
  hcm,
  inboundRouteConfig,
  internalCluster,
  istioServiceMetadata,
  loadAssignment,
  metadataExchange,
  statsFilter,
  tcpProxy,
  tunnelHostSocket,
  typed,
} from './envoy-xds.ts';
import type { Json } from './envoy-xds.ts';
import type { ProxyResources } from './envoy-dump.ts';
import { workloadLabel } from './sidecar.ts';

/**
 * A waypoint's three listeners (pilot/pkg/networking/core `buildWaypointInbound`): `connect_terminate`
 * :15008 ends HBONE and hands every CONNECT to `main_internal`, which dispatches on the destination IP
 * (a service VIP → that service's `inbound-vip` chain; a workload IP bound to the waypoint → the
 * `direct-*` chains) and `connect_originate`, which opens HBONE to the chosen pod.
 */

export function waypointResources(spec: ExampleSpec, pod: PodSpec): ProxyResources {
  const services = servedServices(spec, pod);
  const workloads = servedWorkloads(spec, pod);
  const ports = services.flatMap((svc) => svc.ports.map((p) => ({ svc, port: p.port, targetPort: p.targetPort })));
  return {
    listeners: [connectTerminateListener(), mainInternal(spec, ports, workloads), connectOriginateListener(spec)],
    clusters: [
      internalCluster('main_internal', 'main_internal'),
      internalCluster('encap', 'connect_originate'),
      ...ports.map((vp) => vipCluster(spec, vp)),
      connectOriginateCluster(spec, pod.namespace),
    ],
    endpoints: ports.map((vp) =>
      loadAssignment(
        vipClusterName(vp),
        backendsOf(spec, vp.svc).map((b) => hboneEndpoint(spec, `${b.ip}:${vp.targetPort}`, { workload: workloadLabel(b), socketMatch: false })),
      ),
    ),
    routes: [],
    inlineRoutes: ports.map((vp) => vipRoute(vp)),
  };
}

interface VipPort {
  svc: ServiceSpec;
  port: number;
  targetPort: number;
}

const gatewayNameOf = (pod: PodSpec): string | undefined =>
  pod.labels?.['gateway.networking.k8s.io/gateway-name'] ?? pod.labels?.['istio.io/gateway-name'];

/**
 * 1.18 waypoints serve the services whose pods they front (same namespace and bound workloads);
 * from 1.22 a service opts in with `istio.io/use-waypoint`.
 */
function servedServices(spec: ExampleSpec, pod: PodSpec): ServiceSpec[] {
  const gateway = gatewayNameOf(pod);
  if (minorOf(spec) < 20) {
    return spec.services.filter((s) => s.namespace === pod.namespace && backendsOf(spec, s).some((b) => b.useWaypoint === gateway));
  }
  return spec.services.filter((s) => s.namespace === pod.namespace && s.labels?.['istio.io/use-waypoint'] === gateway);
}

function servedWorkloads(spec: ExampleSpec, pod: PodSpec): PodSpec[] {
  const gateway = gatewayNameOf(pod);
  return spec.pods.filter((p) => p.namespace === pod.namespace && p.mode === 'ambient' && p.useWaypoint === gateway);
}

const vipClusterName = (vp: VipPort): string => `inbound-vip|${vp.port}|http|${hostOf(vp.svc)}`;

/** 1.18 names a chain after the port key plus `-http`; 1.22+ after its cluster. */
const vipChainName = (spec: ExampleSpec, vp: VipPort): string =>
  minorOf(spec) < 20 ? `inbound-vip|${vp.port}||${hostOf(vp.svc)}-http` : vipClusterName(vp);

const vipRoute = (vp: VipPort): Json => inboundRouteConfig(vipClusterName(vp), `inbound|http|${vp.port}`, vipClusterName(vp), `:${vp.port}/*`);

function vipCluster(spec: ExampleSpec, vp: VipPort): Json {
  return edsCluster(vipClusterName(vp), {
    transport_socket: tunnelHostSocket(spec),
    metadata: istioServiceMetadata([{ host: hostOf(vp.svc), name: vp.svc.name, namespace: vp.svc.namespace }]),
    common_lb_config: {},
  });
}

const WAYPOINT_HCM = { server_name: 'istio-envoy', use_remote_address: false };

/** Restores the CONNECT authority as the stream's destination, so `direct-*` chains reach the pod. */
const CONNECT_AUTHORITY = {
  name: 'connect_authority',
  typed_config: typed('envoy.extensions.filters.network.set_filter_state.v3.Config', {
    on_new_connection: [
      {
        object_key: 'envoy.filters.listener.original_dst.local_ip',
        format_string: { text_format_source: { inline_string: '%FILTER_STATE(envoy.filters.listener.original_dst.local_ip:PLAIN)%' } },
        shared_with_upstream: 'ONCE',
      },
    ],
  }),
};

function mainInternal(spec: ExampleSpec, ports: VipPort[], workloads: PodSpec[]): Json {
  const vipChains = ports.map((vp) => ({
    filters: [hcm(`inbound_0.0.0.0_${vp.port}`, { routeConfig: vipRoute(vp) }, WAYPOINT_HCM)],
    name: vipChainName(spec, vp),
  }));
  const encapRoute = inboundRouteConfig('encap', 'inbound|http|0', 'encap', ':0/*');
  const directChains = [
    { filters: [CONNECT_AUTHORITY, metadataExchange(), statsFilter(), tcpProxy('encap', { stat_prefix: 'encap' })], name: 'direct-tcp' },
    { filters: [CONNECT_AUTHORITY, hcm('inbound_0.0.0.0_0', { routeConfig: encapRoute }, WAYPOINT_HCM)], name: 'direct-http' },
  ];
  return {
    name: 'main_internal',
    filter_chains: [...vipChains, ...directChains],
    listener_filters: [minorOf(spec) < 20 ? SET_DST_ADDRESS : ORIGINAL_DST_FILTER, HTTP_INSPECTOR],
    traffic_direction: 'INBOUND',
    internal_listener: {},
    filter_chain_matcher: { matcher_tree: { input: input('ip', 'DestinationIPInput'), custom_match: ipMatcher(spec, ports, workloads) } },
  };
}

const SET_DST_ADDRESS = {
  name: 'set_dst_address',
  typed_config: typed('udpa.type.v1.TypedStruct', { type_url: 'type.googleapis.com/istio.set_internal_dst_address.v1.Config' }),
};

const input = (name: string, type: string): Json => ({ name, typed_config: typed(`envoy.extensions.matching.common_inputs.network.v3.${type}`) });

const toChain = (chain: string): Json => ({ action: { name: chain, typed_config: typed('google.protobuf.StringValue', { value: chain }) } });

const cidr = (ip: string): Json => ({ address_prefix: ip, prefix_len: 32 });

/** Destination IP → (VIP: destination port → chain) | (bound workload: HTTP sniffed → direct-http, else direct-tcp). */
function ipMatcher(spec: ExampleSpec, ports: VipPort[], workloads: PodSpec[]): Json {
  const byVip = new Map<string, VipPort[]>();
  for (const vp of ports) byVip.set(vp.svc.clusterIP, [...(byVip.get(vp.svc.clusterIP) ?? []), vp]);
  const vipMatchers = [...byVip].map(([vip, vps]) => ({
    ranges: [cidr(vip)],
    on_match: {
      matcher: {
        matcher_tree: {
          input: input('port', 'DestinationPortInput'),
          exact_match_map: { map: Object.fromEntries(vps.map((vp) => [String(vp.port), toChain(vipChainName(spec, vp))])) },
        },
      },
    },
  }));
  const workloadMatchers = workloads.length
    ? [
        {
          ranges: workloads.map((w) => cidr(w.ip)),
          on_match: {
            matcher: {
              matcher_tree: {
                input: input('application-protocol', 'ApplicationProtocolInput'),
                exact_match_map: { map: { "'h2c'": toChain('direct-http'), "'http/1.1'": toChain('direct-http') } },
              },
              on_no_match: toChain('direct-tcp'),
            },
          },
        },
      ]
    : [];
  return { name: 'ip', typed_config: typed('xds.type.matcher.v3.IPMatcher', { range_matchers: [...vipMatchers, ...workloadMatchers] }) };
}
