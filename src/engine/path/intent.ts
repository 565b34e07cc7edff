import type { Finding, ZService } from '../../model/index.ts';
import type { Recorder } from './record.ts';
import type { TraceRequest } from './trace.ts';
import type { World } from './world.ts';

/**
 * A waypoint that the mesh assigns to the destination but that the path never reaches. The
 * assignment is read from ztunnel's own view of the service; the bypass is read off the hops.
 */
export function waypointFindings(world: World, req: TraceRequest, rec: Recorder): Finding[] {
  const t = req.destination.target;
  if (t.kind !== 'service') return [];
  if (rec.hops.some((h) => h.component === 'waypoint')) return [];
  const svc = assignedService(world, req, t.service.namespace, t.service.name);
  if (!svc?.waypoint) return [];
  const decider = rec.hops.find((h) => (h.component === 'sidecar' || h.component === 'ztunnel') && /^(HBONE CONNECT|connect |passthrough)/.test(h.action));
  const why = decider
    ? `${decider.component === 'sidecar' ? 'the source sidecar' : 'ztunnel'} chose "${decider.action}" instead of the waypoint`
    : 'no proxy on the path sends to the waypoint';
  return [{
    code: 'waypoint-bypassed',
    severity: 'warning',
    message: `service ${svc.namespace}/${svc.name} is served by waypoint ${svc.waypoint.address.replace(/^\//, '')}:${svc.waypoint.port}, but the path does not go through it: ${why}`,
    hops: decider ? [decider.n] : [],
    evidence: [svc.waypoint.evidence, ...(decider?.evidence ?? [])],
    fix: decider?.component === 'sidecar'
      ? 'sidecars send to a waypoint only when Istio is configured for it; move the client to ambient, or route its traffic to the waypoint'
      : undefined,
  }];
}

/** ztunnel's view of the service, from the ztunnels of the source's node (and the backends' nodes): never a scan of every node. */
function assignedService(world: World, req: TraceRequest, namespace: string, name: string): ZService | undefined {
  const nodes = [req.source.pod.node, ...world.snapshot.k8s.pods.filter((p) => p.namespace === namespace && p.labels['app'] === name).map((p) => p.node)];
  for (const node of new Set(nodes)) {
    const zpod = node ? world.ztunnelPodOn(node) : undefined;
    const svc = zpod ? world.netns(world.podNetnsId(zpod))?.ztunnel?.services.find((s) => s.namespace === namespace && s.name === name) : undefined;
    if (svc) return svc;
  }
  return undefined;
}
