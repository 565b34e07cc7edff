import { createHash } from 'node:crypto';
import type { ExampleSpec, PodSpec, ServiceSpec } from '../topology.ts';

/** Names, identities and version facts shared by the Kubernetes, ztunnel and Envoy writers. */

export const CLUSTER_ID = 'Kubernetes';
export const TRUST_DOMAIN = 'cluster.local';

/** Dumps are read back by tests and diffed in review, so every timestamp is fixed per example. */
export const CAPTURED_AT = '2026-11-20T10:00:00Z';
export const CREATED_AT = '2026-11-20T09:40:00Z';
export const LAST_UPDATED = '2026-11-20T09:58:12.345Z';
export const VERSION_INFO = '2026-11-20T09:58:10Z/12';

/** A stable RFC 4122-shaped UUID from a name, so regenerating an example changes nothing. */
export function uuidOf(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Short lowercase suffix in the alphabet Kubernetes uses for generated names. */
export function suffixOf(name: string, length: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = createHash('sha256').update(name).digest();
  return Array.from(bytes.subarray(0, length), (b) => alphabet[b % alphabet.length]).join('');
}

/** Minor version of an Istio release, e.g. 18 for 1.18.2: the dump schemas change by minor. */
export function minorOf(spec: ExampleSpec): number {
  const minor = Number(spec.istio.split('.')[1]);
  if (!Number.isInteger(minor)) throw new Error(`${spec.name}: unreadable Istio version ${spec.istio}`);
  return minor;
}

export function ownerOf(pod: PodSpec): { kind: 'Deployment' | 'DaemonSet' | 'StatefulSet'; name: string } {
  return pod.owner ?? { kind: 'Deployment', name: pod.app };
}

/** The `pod-template-hash` a Deployment's pod name embeds: `<deployment>-<hash>-<suffix>`. */
export function templateHashOf(pod: PodSpec): string | undefined {
  const owner = ownerOf(pod);
  if (owner.kind !== 'Deployment') return undefined;
  const rest = pod.name.slice(owner.name.length + 1);
  const hash = rest.split('-')[0];
  if (!pod.name.startsWith(`${owner.name}-`) || !hash) throw new Error(`pod ${pod.name} does not follow <deployment>-<hash>-<suffix>`);
  return hash;
}

export function serviceAccountOf(pod: PodSpec): string {
  return pod.mode === 'waypoint' || pod.mode === 'ztunnel' ? ownerOf(pod).name : pod.app;
}

/** `version` label: bookinfo-style owners end in `-v1`. */
export function versionOf(pod: PodSpec): string | undefined {
  return /-(v\d+)$/.exec(ownerOf(pod).name)?.[1];
}

export const hostOf = (svc: ServiceSpec): string => `${svc.name}.${svc.namespace}.svc.cluster.local`;

export const spiffeOf = (namespace: string, sa: string): string => `spiffe://${TRUST_DOMAIN}/ns/${namespace}/sa/${sa}`;

/** The workload uid istiod gives a pod in ambient's workload API. */
export const workloadUidOf = (pod: PodSpec): string => `${CLUSTER_ID}//Pod/${pod.namespace}/${pod.name}`;

/** Pods a Service selects (topology selects by the `app` label only). */
export function backendsOf(spec: ExampleSpec, svc: ServiceSpec): PodSpec[] {
  return spec.pods.filter((p) => p.namespace === svc.namespace && (p.app === svc.selectorApp || svc.extraBackends?.includes(p.name)));
}

export function servicesOf(spec: ExampleSpec, pod: PodSpec): ServiceSpec[] {
  return spec.services.filter((s) => s.namespace === pod.namespace && s.selectorApp === pod.app);
}

/** The waypoint pod a pod or service is bound to by name (`istio.io/use-waypoint`, or the waypoint's own Gateway name). */
export function waypointPodNamed(spec: ExampleSpec, namespace: string, gateway: string): PodSpec | undefined {
  return spec.pods.find(
    (p) =>
      p.mode === 'waypoint' &&
      p.namespace === namespace &&
      (p.labels?.['gateway.networking.k8s.io/gateway-name'] === gateway || p.labels?.['istio.io/gateway-name'] === gateway),
  );
}

export function waypointServiceOf(spec: ExampleSpec, svc: ServiceSpec): ServiceSpec | undefined {
  const name = svc.labels?.['istio.io/use-waypoint'];
  // istiod binds a Service only to a waypoint whose Gateway serves service traffic.
  const forWhat = spec.gateways?.find((g) => g.namespace === svc.namespace && g.name === name)?.waypointFor ?? 'service';
  if (forWhat !== 'service' && forWhat !== 'all') return undefined;
  return name === undefined ? undefined : spec.services.find((s) => s.namespace === svc.namespace && s.name === name);
}

/** Whether sidecars of this example originate HBONE: the ambient profile turns it on for them. */
export const sidecarsSendHbone = (spec: ExampleSpec): boolean => spec.ambient !== undefined;

/** Canonical service labels as istiod derives them when the pod sets none. */
export function canonicalOf(pod: PodSpec): { name: string; revision: string } {
  return { name: pod.app, revision: versionOf(pod) ?? 'latest' };
}
