import type { Evidence, Finding, K8s } from '../../model/index.ts';
import type { World } from '../path/world.ts';
import type { ExpectedWaypoint } from './bypass.ts';
import { podRef, type WalkedPath } from './path-facts.ts';
import type { WaypointTarget } from './waypoint.ts';

/**
 * Differences between intent and path that no other code names: a waypoint other than the bound one,
 * or delivery to a pod that is neither the target nor a backend of the target Service.
 */
export function unexpectedPath(world: World, path: WalkedPath, target: WaypointTarget, expected: ExpectedWaypoint | undefined): Finding[] {
  const out: Finding[] = [];
  const intent = expected?.intent;
  const waypointHop = path.hops.find((h) => h.component === 'waypoint' && h.action.startsWith('accept'));
  const wpod = waypointHop ? world.podOf(waypointHop.netns) : undefined;
  if (intent && !intent.unusable && waypointHop && wpod && gatewayOf(wpod) !== undefined && (wpod.namespace !== intent.namespace || gatewayOf(wpod) !== intent.name)) {
    out.push({
      code: 'unexpected-path',
      severity: 'warning',
      message: `the path goes through waypoint ${wpod.namespace}/${gatewayOf(wpod)}, but istio.io/use-waypoint on ${intent.boundBy} names ${intent.namespace}/${intent.name}`,
      hops: [waypointHop.n],
      evidence: [intent.label, ...waypointHop.evidence],
      fix: 'the proxies\' config is older or newer than the labels: check that istiod pushed the current binding (istioctl ztunnel-config service)',
    });
  }
  const last = path.hops[path.hops.length - 1];
  const delivered = path.verdict === 'delivered' && last?.component === 'app' ? world.podOf(last.netns) : undefined;
  if (delivered && !isIntendedReceiver(world, target, delivered)) {
    const changed = [...path.hops].reverse().find((h) => h.packet.before.dst !== h.packet.after.dst && (h.action.startsWith('DNAT') || h.component !== 'kernel'))
      ?? [...path.hops].reverse().find((h) => h.component !== 'kernel' && h.component !== 'app' && /^(connect|HBONE CONNECT|passthrough|deliver)/.test(h.action));
    out.push({
      code: 'unexpected-path',
      severity: 'warning',
      message: `the connection is delivered to pod ${podRef(delivered)}, which ${target.kind === 'service' ? `service ${target.service.namespace}/${target.service.name}'s selector ${selectorText(target.service)} does not pick` : target.kind === 'pod' ? `is not pod ${podRef(target.pod)}` : `does not own ${target.ip}`}${changed ? `; hop ${changed.n} sent it there (${changed.action})` : ''}`,
      hops: changed ? [changed.n, last.n] : [last.n],
      evidence: [...(target.kind === 'service' ? [selectorEvidence(target.service)] : []), delivered.evidence, ...(changed?.evidence ?? [])],
      fix: target.kind === 'service' ? `the Service's endpoints hold a pod its selector does not pick (stale or hand-made EndpointSlices); fix or delete the EndpointSlice of ${target.service.namespace}/${target.service.name}` : 'find the configuration behind the hop that changed the destination',
    });
  }
  return out;
}

function gatewayOf(pod: K8s.Pod): string | undefined {
  return pod.labels['gateway.networking.k8s.io/gateway-name'] ?? pod.labels['istio.io/gateway-name'];
}

function isIntendedReceiver(world: World, target: WaypointTarget, pod: K8s.Pod): boolean {
  switch (target.kind) {
    case 'pod': return pod.namespace === target.pod.namespace && pod.name === target.pod.name;
    case 'ip': return pod.ips.includes(target.ip) || pod.ip === target.ip || world.podByAddress(target.ip) === undefined;
    case 'service': {
      // The selector states which pods should serve; only a selector-less Service leaves that to its endpoints.
      const svc = target.service;
      if (svc.selector) return pod.namespace === svc.namespace && Object.entries(svc.selector).every(([k, v]) => pod.labels[k] === v);
      return world.snapshot.k8s.endpointSlices.some((s) => s.namespace === svc.namespace && s.service === svc.name && s.endpoints.some((e) => e.addresses.some((a) => pod.ips.includes(a) || a === pod.ip)));
    }
  }
}

const selectorText = (svc: K8s.Service): string => Object.entries(svc.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');

function selectorEvidence(svc: K8s.Service): Evidence {
  const e = svc.evidence;
  return { file: e.file, ...(e.pointer !== undefined ? { pointer: `${e.pointer}/spec/selector` } : {}), text: `${e.text ?? ''} selector ${selectorText(svc)}`.trim() };
}
