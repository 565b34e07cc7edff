import type { ExampleSpec, PodSpec, ServiceSpec } from '../topology.ts';
import { backendsOf, canonicalOf, hostOf, minorOf, ownerOf, serviceAccountOf, servicesOf, sidecarsSendHbone, waypointPodNamed } from './names.ts';
import {
  HTTP_INSPECTOR,
  ORIGINAL_DST_FILTER,
  TLS_INSPECTOR,
  commonTlsContext,
  connectOriginateCluster,
  connectOriginateListener,
  edsCluster,
  hboneEndpoint,
  hboneSocketMatch,
  hcm,
  inboundRouteConfig,
  istioMtlsSocket,
  istioServiceMetadata,
  loadAssignment,
  metadataExchange,
  originalDstCluster,
  rawBuffer,
  socketAddress,
  socketEndpoint,
  statsFilter,
  tcpProxy,
  typed,
} from './envoy-xds.ts';
import type { Json } from './envoy-xds.ts';
import type { ProxyResources } from './envoy-dump.ts';

/**
 * A sidecar's dynamic configuration as istiod builds it with the default Sidecar scope (every service
 * in the mesh): outbound listeners per service port behind `virtualOutbound` :15001, `virtualInbound`
 * :15006 with a chain pair per inbound port, and — when the ambient profile enables HBONE for sidecars —
 * the `connect_originate` internal listener and cluster that EDS endpoints of ambient pods point to.
 */

interface ServicePort {
  svc: ServiceSpec;
  port: number;
  targetPort: number;
  http: boolean;
}

const isHttp = (name: string, appProtocol?: string): boolean => /^(http|http2|grpc)(-|$)/.test(appProtocol ?? name);

function servicePorts(spec: ExampleSpec): ServicePort[] {
  return spec.services.flatMap((svc) => svc.ports.map((p) => ({ svc, port: p.port, targetPort: p.targetPort, http: isHttp(p.name, p.appProtocol) })));
}

export const outboundClusterName = (sp: { svc: ServiceSpec; port: number }): string => `outbound|${sp.port}||${hostOf(sp.svc)}`;

export function sidecarResources(spec: ExampleSpec, pod: PodSpec): ProxyResources {
  const outbound = servicePorts(spec);
  const inbound = inboundPorts(spec, pod);
  const hbone = sidecarsSendHbone(spec);
  const httpPorts = [...new Set(outbound.filter((sp) => sp.http).map((sp) => sp.port))].sort((a, b) => a - b);
  return {
    listeners: [
      ...httpPorts.map((port) => outboundHttpListener(port)),
      ...outbound.filter((sp) => !sp.http).map(outboundTcpListener),
      virtualOutbound(),
      virtualInbound(inbound),
      ...(hbone ? [connectOriginateListener(spec)] : []),
    ],
    clusters: [
      { name: 'BlackHoleCluster', type: 'STATIC', connect_timeout: '10s' },
      originalDstCluster('InboundPassthroughClusterIpv4', { upstream_bind_config: INBOUND_BIND }),
      originalDstCluster('PassthroughCluster', { filters: [metadataExchange()] }),
      ...outbound.map((sp) => outboundCluster(spec, sp)),
      ...inbound.map((ip) => inboundCluster(ip)),
      ...(hbone ? [connectOriginateCluster(spec)] : []),
    ],
    endpoints: outbound.map((sp) => loadAssignment(outboundClusterName(sp), backendsOf(spec, sp.svc).map((b) => outboundEndpoint(spec, b, sp)))),
    routes: httpPorts.map((port) => outboundRouteConfig(pod, port, outbound.filter((sp) => sp.http && sp.port === port))),
    inlineRoutes: inbound.filter((ip) => ip.http).map(inboundRoute),
  };
}

// ── outbound ────────────────────────────────────────────────────────────────────────────────────

function outboundHttpListener(port: number): Json {
  return {
    name: `0.0.0.0_${port}`,
    address: socketAddress('0.0.0.0', port),
    filter_chains: [
      {
        filter_chain_match: { transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c'] },
        filters: [hcm(`outbound_0.0.0.0_${port}`, { rds: String(port) })],
      },
    ],
    listener_filters: [TLS_INSPECTOR, HTTP_INSPECTOR],
    listener_filters_timeout: '0s',
    traffic_direction: 'OUTBOUND',
    continue_on_listener_filters_timeout: true,
    default_filter_chain: { filter_chain_match: {}, filters: [statsFilter(), tcpProxy('PassthroughCluster')], name: 'PassthroughFilterChain' },
    bind_to_port: false,
  };
}

function outboundTcpListener(sp: ServicePort): Json {
  const cluster = outboundClusterName(sp);
  return {
    name: `${sp.svc.clusterIP}_${sp.port}`,
    address: socketAddress(sp.svc.clusterIP, sp.port),
    filter_chains: [{ filters: [statsFilter(), tcpProxy(cluster, { stat_prefix: cluster })] }],
    traffic_direction: 'OUTBOUND',
    bind_to_port: false,
  };
}

function virtualOutbound(): Json {
  return {
    name: 'virtualOutbound',
    address: socketAddress('0.0.0.0', 15001),
    filter_chains: [
      { filter_chain_match: { destination_port: 15001 }, filters: [statsFilter(), tcpProxy('BlackHoleCluster')], name: 'virtualOutbound-blackhole' },
      { filters: [statsFilter(), tcpProxy('PassthroughCluster')], name: 'virtualOutbound-catchall-tcp' },
    ],
    use_original_dst: true,
    traffic_direction: 'OUTBOUND',
  };
}

/** Short names istiod adds to a virtual host: the bare name only from the service's own namespace. */
function domainsOf(pod: PodSpec, svc: ServiceSpec): string[] {
  const own = pod.namespace === svc.namespace ? [svc.name] : [];
  return [hostOf(svc), ...own, `${svc.name}.${svc.namespace}.svc`, `${svc.name}.${svc.namespace}`, svc.clusterIP];
}

function outboundRouteConfig(pod: PodSpec, port: number, sps: ServicePort[]): Json {
  const vhosts = sps.map((sp) => ({
    name: `${hostOf(sp.svc)}:${port}`,
    domains: domainsOf(pod, sp.svc),
    routes: [
      {
        match: { prefix: '/' },
        route: { cluster: outboundClusterName(sp), timeout: '0s', retry_policy: { retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', num_retries: 2 } },
        decorator: { operation: `${hostOf(sp.svc)}:${port}/*` },
        name: 'default',
      },
    ],
    include_request_attempt_count: true,
  }));
  const allowAny = { name: 'allow_any', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'PassthroughCluster', timeout: '0s' }, name: 'allow_any' }], include_request_attempt_count: true };
  return { name: String(port), virtual_hosts: [...vhosts, allowAny], validate_clusters: false, ignore_port_in_host_matching: true };
}

function outboundCluster(spec: ExampleSpec, sp: ServicePort): Json {
  const sa = backendsOf(spec, sp.svc)[0];
  const mtls = {
    name: 'tlsMode-istio',
    match: { tlsMode: 'istio' },
    transport_socket: istioMtlsSocket(`outbound_.${sp.port}_._.${hostOf(sp.svc)}`, sp.svc.namespace, sa ? serviceAccountOf(sa) : 'default'),
  };
  const plain = { name: 'tlsMode-disabled', match: {}, transport_socket: rawBuffer() };
  return edsCluster(outboundClusterName(sp), {
    lb_policy: 'LEAST_REQUEST',
    common_lb_config: { locality_weighted_lb_config: {} },
    metadata: istioServiceMetadata([{ host: hostOf(sp.svc), name: sp.svc.name, namespace: sp.svc.namespace }], { default_original_port: sp.port }),
    filters: [metadataExchange()],
    transport_socket_matches: sidecarsSendHbone(spec) ? [hboneSocketMatch(spec), mtls, plain] : [mtls, plain],
  });
}

/** `workload;namespace;canonical-name;canonical-revision;cluster`, with istiod's empty revision for `latest`. */
export function workloadLabel(pod: PodSpec): string {
  const canonical = canonicalOf(pod);
  return [ownerOf(pod).name, pod.namespace, canonical.name, canonical.revision === 'latest' ? '' : canonical.revision, 'Kubernetes'].join(';');
}

/**
 * What a sidecar dials for one backend: mTLS straight to a sidecar; HBONE through `connect_originate`
 * to an ambient pod when sidecars send HBONE (in 1.18 to the pod's waypoint when it has one, since
 * 1.22 always to the pod itself); plain TCP otherwise.
 */
function outboundEndpoint(spec: ExampleSpec, backend: PodSpec, sp: ServicePort): Json {
  const workload = workloadLabel(backend);
  if (backend.mode === 'sidecar') return socketEndpoint(backend.ip, sp.targetPort, workload, true);
  if (backend.mode !== 'ambient' || !sidecarsSendHbone(spec)) return socketEndpoint(backend.ip, sp.targetPort, workload, false);
  const waypoint = minorOf(spec) < 20 && backend.useWaypoint ? waypointPodNamed(spec, backend.namespace, backend.useWaypoint) : undefined;
  return hboneEndpoint(spec, `${backend.ip}:${sp.targetPort}`, { workload, socketMatch: true, tunnelTo: waypoint ? `${waypoint.ip}:15008` : undefined });
}

// ── inbound ─────────────────────────────────────────────────────────────────────────────────────

/** Inbound upstreams leave from 127.0.0.6 so the pod's own capture rules let them reach the app. */
const INBOUND_BIND = { source_address: { address: '127.0.0.6', port_value: 0 } };

interface InboundPort {
  targetPort: number;
  http: boolean;
  svc: ServiceSpec;
  servicePort: number;
}

/** One inbound port per target port of the services that select the pod. */
function inboundPorts(spec: ExampleSpec, pod: PodSpec): InboundPort[] {
  const seen = new Map<number, InboundPort>();
  for (const svc of servicesOf(spec, pod)) {
    for (const p of svc.ports) {
      if (!seen.has(p.targetPort)) seen.set(p.targetPort, { targetPort: p.targetPort, http: isHttp(p.name, p.appProtocol), svc, servicePort: p.port });
    }
  }
  return [...seen.values()].sort((a, b) => a.targetPort - b.targetPort);
}

const inboundClusterName = (ip: InboundPort): string => `inbound|${ip.targetPort}||`;

const inboundRoute = (ip: InboundPort): Json =>
  inboundRouteConfig(inboundClusterName(ip), `inbound|http|${ip.servicePort}`, inboundClusterName(ip), `${hostOf(ip.svc)}:${ip.servicePort}/*`);

const MTLS_ALPNS = ['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'];

function downstreamMtls(): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: typed('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
      common_tls_context: commonTlsContext(['h2', 'http/1.1'], [{ prefix: 'spiffe://cluster.local/' }]),
      require_client_certificate: true,
    }),
  };
}

const AUTHN = { name: 'istio_authn', typed_config: typed('udpa.type.v1.TypedStruct', { type_url: 'type.googleapis.com/io.istio.network.authn.Config' }) };

function inboundChains(ip: InboundPort): Json[] {
  const terminal = ip.http
    ? hcm(`inbound_0.0.0.0_${ip.targetPort}`, { routeConfig: inboundRoute(ip) }, {
        server_name: 'istio-envoy',
        forward_client_cert_details: 'APPEND_FORWARD',
        set_current_client_cert_details: { subject: true, dns: true, uri: true },
      })
    : tcpProxy(inboundClusterName(ip), { stat_prefix: inboundClusterName(ip) });
  const filters = [AUTHN, metadataExchange(), terminal];
  const name = `0.0.0.0_${ip.targetPort}`;
  return [
    { filter_chain_match: { destination_port: ip.targetPort, transport_protocol: 'tls', application_protocols: MTLS_ALPNS }, filters, transport_socket: downstreamMtls(), name },
    { filter_chain_match: { destination_port: ip.targetPort, transport_protocol: 'raw_buffer' }, filters, name },
  ];
}

function virtualInbound(ports: InboundPort[]): Json {
  const anyIp = { prefix_ranges: [{ address_prefix: '0.0.0.0', prefix_len: 0 }] };
  const passthrough = [AUTHN, metadataExchange(), statsFilter(), tcpProxy('InboundPassthroughClusterIpv4')];
  return {
    name: 'virtualInbound',
    address: socketAddress('0.0.0.0', 15006),
    filter_chains: [
      { filter_chain_match: { destination_port: 15006 }, filters: [statsFilter(), tcpProxy('BlackHoleCluster')], name: 'virtualInbound-blackhole' },
      {
        filter_chain_match: { ...anyIp, transport_protocol: 'tls', application_protocols: ['istio-peer-exchange', 'istio'] },
        filters: passthrough,
        transport_socket: downstreamMtls(),
        name: 'virtualInbound',
      },
      { filter_chain_match: { ...anyIp, transport_protocol: 'raw_buffer' }, filters: passthrough, name: 'virtualInbound' },
      ...ports.flatMap(inboundChains),
    ],
    listener_filters: [
      ORIGINAL_DST_FILTER,
      { ...TLS_INSPECTOR, filter_disabled: { destination_port_range: { start: 15006, end: 15007 } } },
      HTTP_INSPECTOR,
    ],
    listener_filters_timeout: '0s',
    traffic_direction: 'INBOUND',
    continue_on_listener_filters_timeout: true,
  };
}

function inboundCluster(ip: InboundPort): Json {
  return originalDstCluster(inboundClusterName(ip), {
    upstream_bind_config: INBOUND_BIND,
    metadata: istioServiceMetadata([{ host: hostOf(ip.svc), name: ip.svc.name, namespace: ip.svc.namespace }]),
  });
}
