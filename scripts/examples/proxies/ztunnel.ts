import type { ExampleSpec, PodSpec, ServiceSpec } from '../topology.ts';
import {
  CLUSTER_ID,
  TRUST_DOMAIN,
  backendsOf,
  canonicalOf,
  hostOf,
  minorOf,
  ownerOf,
  serviceAccountOf,
  servicesOf,
  uuidOf,
  waypointPodNamed,
  waypointServiceOf,
  workloadUidOf,
} from './names.ts';

/**
 * ztunnel's admin `/config_dump` as each generation serialises it (field names from ztunnel's serde structs
 * at the release tag): 1.18 `WorkloadStore` keyed by IP, 1.21 `ProxyState` flattened into `by_addr`/`by_uid`/`by_vip`,
 * 1.23+ `ProxyStateSerialization` with `workloads`/`services` arrays. ztunnel is told about every pod.
 */

type Json = Record<string, unknown>;

export function ztunnelConfigDump(spec: ExampleSpec, self: PodSpec): Json {
  const minor = minorOf(spec);
  if (minor <= 20) return legacyDump(spec, self);
  if (minor <= 22) return byAddrDump(spec);
  return arraysDump(spec, self);
}

/** Pods whose traffic ztunnel carries as HBONE; everything else it reaches over plain TCP. */
const protocolOf = (p: PodSpec): 'HBONE' | 'TCP' => p.ztunnelProtocol ?? (p.mode === 'ambient' ? 'HBONE' : 'TCP');

function workloadIdentity(p: PodSpec): Json {
  const canonical = canonicalOf(p);
  const daemon = ownerOf(p).kind === 'DaemonSet';
  return {
    name: p.name,
    namespace: p.namespace,
    trustDomain: TRUST_DOMAIN,
    serviceAccount: serviceAccountOf(p),
    // ztunnel reports DaemonSet pods as bare pods, as the corpus dumps show for ztunnel itself.
    workloadName: daemon ? p.name : ownerOf(p).name,
    workloadType: daemon ? 'pod' : ownerOf(p).kind.toLowerCase(),
    canonicalName: canonical.name,
    canonicalRevision: canonical.revision,
    node: p.node,
  };
}

// ── 1.18: node-level ("Shared") ztunnel ─────────────────────────────────────────────────────────

function legacyDump(spec: ExampleSpec, self: PodSpec): Json {
  const workloads = Object.fromEntries(spec.pods.map((p) => [p.ip, legacyWorkload(spec, p)]));
  const vips: Record<string, [string, number][]> = {};
  const workloadToVip: Record<string, [string, number][]> = {};
  for (const svc of spec.services) {
    for (const port of svc.ports) {
      const vip = `${svc.clusterIP}:${port.port}`;
      vips[vip] = backendsOf(spec, svc).map((p) => [p.ip, port.targetPort]);
      for (const p of backendsOf(spec, svc)) (workloadToVip[p.ip] ??= []).push([vip, port.targetPort]);
    }
  }
  return {
    workloads,
    workload_to_vip: workloadToVip,
    vips,
    policies: {},
    policies_by_namespace: {},
    proxy_mode: 'Shared',
    local_node: self.node,
    static_config: { workloads: [], policies: [] },
    version: legacyVersion(spec),
    config: legacyConfig(spec, self),
    certificates: [],
  };
}

function legacyWorkload(spec: ExampleSpec, p: PodSpec): Json {
  const waypoint = p.useWaypoint ? waypointPodNamed(spec, p.namespace, p.useWaypoint) : undefined;
  const { name, namespace, trustDomain, serviceAccount, workloadName, workloadType, canonicalName, canonicalRevision, node } = workloadIdentity(p);
  return {
    workloadIp: p.ip,
    waypointAddresses: waypoint ? [waypoint.ip] : [],
    gatewayAddress: null,
    protocol: protocolOf(p),
    name,
    namespace,
    trustDomain,
    serviceAccount,
    workloadName,
    workloadType,
    canonicalName,
    canonicalRevision,
    node,
    nativeHbone: false,
    authorizationPolicies: [],
    status: 'Healthy',
    clusterId: CLUSTER_ID,
  };
}

function legacyVersion(spec: ExampleSpec): Json {
  return { version: spec.istio, git_revision: 'b7e6a1f0c3d5', rust_version: '1.68.2', build_status: 'Clean', git_tag: spec.istio, istio_version: spec.istio };
}

function legacyConfig(spec: ExampleSpec, self: PodSpec): Json {
  return {
    socks5_addr: '127.0.0.1:15080',
    admin_addr: '127.0.0.1:15000',
    stats_addr: '[::]:15020',
    readiness_addr: '[::]:15021',
    inbound_addr: '[::]:15008',
    inbound_plaintext_addr: '[::]:15006',
    outbound_addr: '[::]:15001',
    local_node: self.node,
    proxy_mode: 'Shared',
    local_ip: self.ip,
    cluster_id: CLUSTER_ID,
    ca_address: 'https://istiod.istio-system.svc:15012',
    xds_address: 'https://istiod.istio-system.svc:15012',
    xds_on_demand: false,
    fake_ca: false,
    proxy_metadata: { ISTIO_VERSION: spec.istio },
    proxy_args: 'proxy ztunnel',
  };
}

// ── 1.19–1.22: `by_addr` / `by_uid` / `by_vip` maps keyed by `network/IP` ──────────────────────────

function byAddrDump(spec: ExampleSpec): Json {
  const workloads = spec.pods.map((p) => modernWorkload(spec, p, 'port'));
  const workloadToServices: Record<string, string[]> = {};
  for (const p of spec.pods) {
    const svcs = servicesOf(spec, p).map((s) => `${s.namespace}/${hostOf(s)}`);
    if (svcs.length > 0) workloadToServices[workloadUidOf(p)] = svcs;
  }
  return {
    by_addr: Object.fromEntries(spec.pods.map((p, i) => [`/${p.ip}`, workloads[i]])),
    by_uid: Object.fromEntries(spec.pods.map((p, i) => [workloadUidOf(p), workloads[i]])),
    workload_to_services: workloadToServices,
    by_vip: Object.fromEntries(spec.services.map((s) => [`/${s.clusterIP}`, modernService(spec, s, 'keyed-by-address')])),
    certificates: [],
  };
}

// ── 1.23+: `workloads` and `services` arrays ────────────────────────────────────────────────────

function arraysDump(spec: ExampleSpec, self: PodSpec): Json {
  return {
    workloads: [...spec.pods].sort(byUid).map((p) => modernWorkload(spec, p, 'hboneMtlsPort')),
    services: [...spec.services].sort((a, b) => hostOf(a).localeCompare(hostOf(b))).map((s) => modernService(spec, s, 'keyed-by-uid')),
    policies: [],
    stagedServices: {},
    staticConfig: { workloads: [], policies: [], services: [] },
    version: modernVersion(spec),
    config: modernConfig(spec, self),
    certificates: [],
    workloadState: workloadState(spec, self),
  };
}

const byUid = (a: PodSpec, b: PodSpec): number => workloadUidOf(a).localeCompare(workloadUidOf(b));

/** 1.21 names the waypoint's HBONE port `port` (as the corpus dump shows); 1.23+ `hboneMtlsPort`. */
type PortField = 'port' | 'hboneMtlsPort';

function modernWorkload(spec: ExampleSpec, p: PodSpec, portField: PortField): Json {
  const waypoint = workloadWaypoint(spec, p);
  const identity = workloadIdentity(p);
  return {
    workloadIps: [p.ip],
    ...(waypoint ? { waypoint: { destination: `/${waypoint}`, [portField]: 15008 } } : {}),
    protocol: protocolOf(p),
    ...(portField === 'hboneMtlsPort' ? { networkMode: 'Standard' } : {}),
    uid: workloadUidOf(p),
    ...identity,
    ...(p.mode === 'ambient' && portField === 'port' ? { nativeTunnel: true } : {}),
    status: 'Healthy',
    clusterId: CLUSTER_ID,
    ...(portField === 'hboneMtlsPort' && servicesOf(spec, p).length > 0
      ? { services: servicesOf(spec, p).map((s) => `${s.namespace}/${hostOf(s)}`) }
      : {}),
  };
}

/** A workload-scoped waypoint (`istio.io/use-waypoint` on the pod): the VIP of that waypoint's Service. */
function workloadWaypoint(spec: ExampleSpec, p: PodSpec): string | undefined {
  if (!p.useWaypoint) return undefined;
  return spec.services.find((s) => s.namespace === p.namespace && s.name === p.useWaypoint)?.clusterIP;
}

function modernService(spec: ExampleSpec, s: ServiceSpec, keying: 'keyed-by-address' | 'keyed-by-uid'): Json {
  const ports = Object.fromEntries(s.ports.map((port) => [String(port.port), port.targetPort]));
  const waypoint = waypointServiceOf(spec, s);
  const endpoints = backendsOf(spec, s).map((p) =>
    keying === 'keyed-by-address'
      ? [`${workloadUidOf(p)}:/${p.ip}`, { workloadUid: workloadUidOf(p), service: `${s.namespace}/${hostOf(s)}`, address: `/${p.ip}`, port: ports }]
      : [workloadUidOf(p), { workloadUid: workloadUidOf(p), port: ports, status: 'Healthy' }],
  );
  return {
    name: s.name,
    namespace: s.namespace,
    hostname: hostOf(s),
    vips: [`/${s.clusterIP}`],
    ports,
    endpoints: Object.fromEntries(endpoints),
    subjectAltNames: [],
    ...(waypoint && keying === 'keyed-by-uid' ? { waypoint: { destination: `/${waypoint.clusterIP}`, hboneMtlsPort: 15008 } } : {}),
  };
}

function modernVersion(spec: ExampleSpec): Json {
  return {
    version: spec.istio,
    gitRevision: 'c41f8ad1b7e2a6d0f3e95b4c7d82a1e6f09b3c57',
    rustVersion: '1.81.0',
    buildProfile: 'release',
    buildStatus: 'Clean',
    gitTag: spec.istio,
    istioVersion: spec.istio,
  };
}

function modernConfig(spec: ExampleSpec, self: PodSpec): Json {
  return {
    proxy: true,
    dnsProxy: true,
    inboundAddr: '[::]:15008',
    inboundPlaintextAddr: '[::]:15006',
    outboundAddr: '[::]:15001',
    network: '',
    localNode: self.node,
    proxyMode: 'Shared',
    localIp: self.ip,
    clusterId: CLUSTER_ID,
    clusterDomain: 'cluster.local',
    caAddress: 'https://istiod.istio-system.svc:15012',
    xdsAddress: 'https://istiod.istio-system.svc:15012',
    proxyMetadata: { ISTIO_VERSION: spec.istio },
    inpodUds: '/var/run/ztunnel/ztunnel.sock',
  };
}

/** In-pod ztunnel keys the pods it serves by their Kubernetes pod uid. */
function workloadState(spec: ExampleSpec, self: PodSpec): Json {
  const local = spec.pods.filter((p) => p.mode === 'ambient' && p.node === self.node);
  return Object.fromEntries(
    local.map((p) => [
      uuidOf(`pod/${p.namespace}/${p.name}`),
      { state: 'Up', connections: { inbound: [], outbound: [] }, info: { name: p.name, namespace: p.namespace, serviceAccount: serviceAccountOf(p) } },
    ]),
  );
}

export const ztunnelPods = (spec: ExampleSpec): PodSpec[] => spec.pods.filter((p) => p.mode === 'ztunnel');

/** Keeps the waypoint lookup total: every ambient pod bound to a waypoint must find it. */
export function checkWaypoints(spec: ExampleSpec): void {
  for (const p of spec.pods) {
    if (p.mode === 'ambient' && p.useWaypoint && !waypointPodNamed(spec, p.namespace, p.useWaypoint)) {
      throw new Error(`${spec.name}: ${p.name} uses waypoint ${p.useWaypoint}, which no pod provides`);
    }
  }
}
