import type { Evidence, K8s } from '../../model/index.ts';
import { cidrContains } from '../net/cidr.ts';
import { metadataEvidence } from './metadata.ts';

/** What the trace is aimed at, as far as waypoint binding cares: a Service, a pod, or a bare address. */
export type WaypointTarget =
  | { kind: 'service'; service: K8s.Service }
  | { kind: 'pod'; pod: K8s.Pod }
  | { kind: 'ip'; ip: string };

export interface WaypointIntent {
  /** The waypoint's Gateway. */
  namespace: string;
  name: string;
  /** What carries the label: "service default/reviews", "namespace default", "ServiceEntry …". */
  boundBy: string;
  label: Evidence;
  gateway?: K8s.Gateway;
  /** Set when the waypoint, though asked for, cannot carry this traffic (Istio then binds none). */
  unusable?: { reason: string; evidence: Evidence[] };
}

const USE_WAYPOINT = 'istio.io/use-waypoint';
const USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
const WAYPOINT_FOR = 'istio.io/waypoint-for';
const WAYPOINT_CLASS = 'istio-waypoint';

/**
 * istiod's `fetchWaypointForTarget`: the object's own `istio.io/use-waypoint` (`none` opts out), else its
 * namespace's; `istio.io/use-waypoint-namespace` names another namespace. The Gateway must then be ready
 * (a status address), admit the object's namespace, and serve this kind of traffic (`istio.io/waypoint-for`,
 * `service` by default). A waypoint's own pods and Service never have one.
 */
export function intendedWaypoint(cluster: K8s.Cluster, target: WaypointTarget): WaypointIntent | undefined {
  const bound = binding(cluster, target);
  if (!bound) return undefined;
  const se = target.kind === 'ip' ? serviceEntryFor(cluster, target.ip) : undefined;
  if (se && se.addresses.length === 0) {
    return { ...bound, unusable: { reason: `ServiceEntry ${se.namespace}/${se.name} has no addresses, so ztunnel has no address to recognise its traffic by`, evidence: [se.evidence] } };
  }
  const traffic = target.kind === 'pod' ? 'workload' : 'service';
  const gateways = cluster.gateways;
  if (!gateways) return bound;
  const gateway = gateways.find((g) => g.namespace === bound.namespace && g.name === bound.name);
  const ref = `${bound.namespace}/${bound.name}`;
  if (!gateway || gateway.className !== WAYPOINT_CLASS) {
    return { ...bound, unusable: { reason: `no waypoint Gateway ${ref} exists`, evidence: [] } };
  }
  const withGateway = { ...bound, gateway };
  if (gateway.addresses.length === 0) {
    return { ...withGateway, unusable: { reason: `Gateway ${ref} has no status address: it has no ready pod, so istiod binds nothing to it`, evidence: [gateway.evidence] } };
  }
  const objectNs = objectNamespace(target);
  const hbone = gateway.listeners.find((l) => l.protocol === 'HBONE' && l.port === 15008);
  const from = hbone?.allowedFrom ?? 'Same';
  if (objectNs !== undefined && from === 'Same' && objectNs !== gateway.namespace) {
    return { ...withGateway, unusable: { reason: `Gateway ${ref} admits only its own namespace (allowedRoutes from Same), not ${objectNs}`, evidence: [gateway.evidence] } };
  }
  const forWhat = gateway.labels[WAYPOINT_FOR] ?? 'service';
  if (forWhat !== traffic && forWhat !== 'all') {
    const ev = gateway.labels[WAYPOINT_FOR] !== undefined ? metadataEvidence(gateway.evidence, 'labels', WAYPOINT_FOR, forWhat) : gateway.evidence;
    return { ...withGateway, unusable: { reason: `Gateway ${ref} is ${WAYPOINT_FOR}=${forWhat}, which does not cover ${traffic} traffic`, evidence: [ev] } };
  }
  return withGateway;
}

function binding(cluster: K8s.Cluster, target: WaypointTarget): Omit<WaypointIntent, 'gateway' | 'unusable'> | undefined {
  const own = ownObject(cluster, target);
  if (!own) return undefined;
  if (own.labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller' || own.labels['gateway.networking.k8s.io/gateway-name'] !== undefined) return undefined;
  const mine = useWaypoint(own.labels, own.namespace);
  if (mine === 'none') return undefined;
  if (mine) return { ...mine, boundBy: own.what, label: metadataEvidence(own.evidence, 'labels', USE_WAYPOINT, mine.name) };
  const ns = cluster.namespaces.find((n) => n.name === own.namespace);
  const fromNs = ns ? useWaypoint(ns.labels, own.namespace) : undefined;
  if (!ns || !fromNs || fromNs === 'none') return undefined;
  return { ...fromNs, boundBy: `namespace ${ns.name}`, label: metadataEvidence(ns.evidence, 'labels', USE_WAYPOINT, fromNs.name) };
}

function useWaypoint(labels: Record<string, string>, defaultNs: string): { namespace: string; name: string } | 'none' | undefined {
  const name = labels[USE_WAYPOINT];
  if (name === undefined) return undefined;
  if (name === 'none') return 'none';
  return { namespace: labels[USE_WAYPOINT_NAMESPACE] ?? defaultNs, name };
}

interface Labelled {
  what: string;
  namespace: string;
  labels: Record<string, string>;
  evidence: Evidence;
}

/** A bare address is bound through the ServiceEntry that lists it (as an address or an endpoint). */
function ownObject(cluster: K8s.Cluster, target: WaypointTarget): Labelled | undefined {
  switch (target.kind) {
    case 'service': return { what: `service ${target.service.namespace}/${target.service.name}`, namespace: target.service.namespace, labels: target.service.labels, evidence: target.service.evidence };
    case 'pod': return { what: `pod ${target.pod.namespace}/${target.pod.name}`, namespace: target.pod.namespace, labels: target.pod.labels, evidence: target.pod.evidence };
    case 'ip': {
      const se = serviceEntryFor(cluster, target.ip);
      return se && { what: `ServiceEntry ${se.namespace}/${se.name}`, namespace: se.namespace, labels: se.labels, evidence: se.evidence };
    }
  }
}

function serviceEntryFor(cluster: K8s.Cluster, ip: string): K8s.ServiceEntry | undefined {
  return cluster.serviceEntries?.find((se) => se.endpoints.includes(ip) || se.addresses.some((a) => a === ip || (a.includes('/') && cidrContains(a, ip))));
}

function objectNamespace(target: WaypointTarget): string | undefined {
  return target.kind === 'service' ? target.service.namespace : target.kind === 'pod' ? target.pod.namespace : undefined;
}
