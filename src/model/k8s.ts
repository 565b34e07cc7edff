import type { Evidence } from './evidence.ts';

/** The few Kubernetes facts the tracer needs, each with the JSON pointer it came from. */

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: string;
}

export interface Container {
  name: string;
  image?: string;
  ports: ContainerPort[];
}

/**
 * An owner of a pod. A ReplicaSet owner named `<deployment>-<pod-template-hash>` is followed by the
 * Deployment it stands for (`inferred: true`), since that is the name users know the workload by.
 */
export interface OwnerRef {
  kind: string;
  name: string;
  inferred?: boolean;
}

export interface Pod {
  name: string;
  namespace: string;
  uid?: string;
  node?: string;
  ip?: string;
  ips: string[];
  hostNetwork: boolean;
  phase?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  containers: Container[];
  initContainers: Container[];
  owners: OwnerRef[];
  evidence: Evidence;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort: number | string;
  protocol: string;
  appProtocol?: string;
}

export interface Service {
  name: string;
  namespace: string;
  type: string;
  /** `clusterIP: None`: no virtual IP; clients reach the endpoints directly. */
  headless?: boolean;
  clusterIP?: string;
  clusterIPs: string[];
  selector?: Record<string, string>;
  ports: ServicePort[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  evidence: Evidence;
}

export interface EndpointSlice {
  name: string;
  namespace: string;
  service?: string;
  ports: { name?: string; port: number; protocol: string }[];
  endpoints: { addresses: string[]; ready: boolean; pod?: string; node?: string }[];
  evidence: Evidence;
}

export interface Node {
  name: string;
  podCIDRs: string[];
  addresses: { type: string; address: string }[];
  labels: Record<string, string>;
  evidence: Evidence;
}

export interface Namespace {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  evidence: Evidence;
}

export interface Cluster extends IstioObjects {
  pods: Pod[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  nodes: Node[];
  namespaces: Namespace[];
}

/** Istio's `ServiceEntry` (networking.istio.io): a host the mesh knows, with or without addresses ztunnel can match. */
export interface ServiceEntry {
  name: string;
  namespace: string;
  hosts: string[];
  addresses: string[];
  /** `spec.endpoints[].address`: where the host's traffic really goes. */
  endpoints: string[];
  ports: { name?: string; number: number; protocol?: string }[];
  labels: Record<string, string>;
  evidence: Evidence;
}

/** Istio's `PeerAuthentication` (security.istio.io): the mTLS mode a workload or namespace accepts. */
export interface PeerAuthentication {
  name: string;
  namespace: string;
  /** `spec.selector.matchLabels`; absent: the whole namespace (or the mesh, in the root namespace). */
  selector?: Record<string, string>;
  /** `spec.mtls.mode`: UNSET, DISABLE, PERMISSIVE or STRICT. */
  mode?: string;
  portLevel: Record<string, string>;
  evidence: Evidence;
}

/** A Gateway API `Gateway` (gateway.networking.k8s.io): waypoints are Gateways of class `istio-waypoint`. */
export interface Gateway {
  name: string;
  namespace: string;
  className: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  listeners: { name: string; port: number; protocol: string; allowedFrom?: string }[];
  /** `status.addresses[].value`: istiod fills them once the Gateway has a ready pod. */
  addresses: string[];
  evidence: Evidence;
}

/** Istio's own objects a snapshot may hold (`k8s/serviceentries.json` …); undefined when the file was not captured. */
export interface IstioObjects {
  serviceEntries?: ServiceEntry[];
  peerAuthentications?: PeerAuthentication[];
  gateways?: Gateway[];
}
