import type { Evidence, Finding, Hop, K8s, ZService } from '../../model/index.ts';
import type { World } from '../path/world.ts';
import { intendedMode } from './mode.ts';
import { podRef, type WalkedPath } from './path-facts.ts';
import { intendedWaypoint, type WaypointIntent, type WaypointTarget } from './waypoint.ts';

const INGRESS_USE_WAYPOINT = 'istio.io/ingress-use-waypoint';

/** The waypoint this traffic should cross, from the labels, or — when no label binds one — from ztunnel's own view of the service. */
export interface ExpectedWaypoint {
  intent?: WaypointIntent;
  ztunnel?: ZService;
}

export function expectedWaypoint(world: World, target: WaypointTarget, source: K8s.Pod): ExpectedWaypoint | undefined {
  const intent = intendedWaypoint(world.snapshot.k8s, target);
  if (intent) return { intent };
  const z = target.kind === 'service' ? ztunnelService(world, source, target.service) : undefined;
  return z?.waypoint ? { ztunnel: z } : undefined;
}

/**
 * A waypoint is intended but no hop of the path is one: say why, from the intent (a Gateway that cannot
 * carry the traffic) or from the proxy that chose another destination.
 */
export function waypointBypassed(world: World, path: WalkedPath, target: WaypointTarget, source: K8s.Pod): Finding | undefined {
  if (path.hops.some((h) => h.component === 'waypoint')) return undefined;
  const expected = expectedWaypoint(world, target, source);
  if (!expected) return undefined;
  const decider = path.hops.find((h) => (h.component === 'sidecar' || h.component === 'ztunnel') && /^(HBONE CONNECT|connect |passthrough)/.test(h.action));
  const gateway = isIngressGateway(source);
  const { why, fix } = reason(world, expected, decider, source, gateway, target);
  const intentEvidence: Evidence[] = expected.intent ? [expected.intent.label, ...(expected.intent.unusable?.evidence ?? [])] : expected.ztunnel?.waypoint ? [expected.ztunnel.waypoint.evidence] : [];
  return {
    code: 'waypoint-bypassed',
    severity: 'warning',
    message: `${describeTarget(target)} ${describeExpected(expected)}, but the path does not go through it: ${why}`,
    hops: decider ? [decider.n] : [],
    evidence: [...intentEvidence, ...(decider?.evidence ?? [])],
    fix,
  };
}

function reason(world: World, e: ExpectedWaypoint, decider: Hop | undefined, source: K8s.Pod, gateway: boolean, target: WaypointTarget): { why: string; fix: string } {
  const chose = decider ? `; ${decider.component === 'sidecar' ? 'the source sidecar' : 'ztunnel'} chose "${decider.action}"` : '';
  if (e.intent?.unusable) {
    return { why: `${e.intent.unusable.reason}${chose}`, fix: `make waypoint ${e.intent.namespace}/${e.intent.name} usable for this traffic (a ready Gateway of class istio-waypoint whose istio.io/waypoint-for covers it), or bind another waypoint` };
  }
  if (gateway) {
    const svc = target.kind === 'service' ? target.service : undefined;
    const ns = svc ? world.snapshot.k8s.namespaces.find((n) => n.name === svc.namespace) : undefined;
    if (svc?.labels[INGRESS_USE_WAYPOINT] !== 'true' && ns?.labels[INGRESS_USE_WAYPOINT] !== 'true') {
      return { why: `the source ${podRef(source)} is an ingress gateway, which sends to a waypoint only when the service or its namespace has ${INGRESS_USE_WAYPOINT}=true${chose}`, fix: `label ${svc ? `service ${svc.namespace}/${svc.name}` : 'the service'} ${INGRESS_USE_WAYPOINT}=true` };
    }
  }
  if (decider?.component === 'sidecar' || intendedMode(world.snapshot.k8s, source).mode === 'sidecar') {
    return {
      why: `the source ${podRef(source)} is a sidecar, and sidecars do not send to waypoints${chose}`,
      fix: `move ${podRef(source)} to ambient (istio.io/dataplane-mode=ambient without a sidecar) so its ztunnel sends to the waypoint, or enforce the waypoint's policies on the destination too`,
    };
  }
  if (decider) return { why: `ztunnel chose "${decider.action}": its config for the destination names no waypoint`, fix: 'check that istiod pushed the waypoint binding to ztunnel (istioctl ztunnel-config service) and that the waypoint is ready' };
  return { why: 'no proxy on the path could send to the waypoint (the source is not captured)', fix: 'enroll the source in the mesh so its traffic is captured' };
}

function describeTarget(t: WaypointTarget): string {
  return t.kind === 'service' ? `service ${t.service.namespace}/${t.service.name}` : t.kind === 'pod' ? `pod ${podRef(t.pod)}` : t.ip;
}

function describeExpected(e: ExpectedWaypoint): string {
  if (e.intent) return `should go through waypoint ${e.intent.namespace}/${e.intent.name} (istio.io/use-waypoint on ${e.intent.boundBy})`;
  const w = e.ztunnel?.waypoint;
  return `is served by waypoint ${w ? `${w.address.replace(/^\//, '')}:${w.port}` : '?'} in ztunnel's config`;
}

/** Ingress gateways are Envoy pods that are neither sidecars nor waypoints: a Gateway's deployment, or Istio's classic `istio: ingressgateway`. */
function isIngressGateway(pod: K8s.Pod): boolean {
  return pod.labels['istio'] === 'ingressgateway' || (pod.labels['gateway.networking.k8s.io/gateway-name'] !== undefined && pod.labels['gateway.istio.io/managed'] !== 'istio.io-mesh-controller' && !pod.labels['istio.io/waypoint-for']);
}

/** ztunnel's view of the service, from the ztunnels of the source's node and of the backends' nodes: never a scan of every node. */
function ztunnelService(world: World, source: K8s.Pod, svc: K8s.Service): ZService | undefined {
  const backends = world.snapshot.k8s.pods.filter((p) => p.namespace === svc.namespace && svc.selector && Object.entries(svc.selector).every(([k, v]) => p.labels[k] === v));
  for (const node of new Set([source.node, ...backends.map((p) => p.node)])) {
    const zpod = node ? world.ztunnelPodOn(node) : undefined;
    const found = zpod ? world.netns(world.podNetnsId(zpod))?.ztunnel?.services.find((s) => s.namespace === svc.namespace && s.name === svc.name) : undefined;
    if (found) return found;
  }
  return undefined;
}
