import type { Evidence, K8s } from '../../model/index.ts';
import { containerEvidence, metadataEvidence } from './metadata.ts';

/** The data-plane mode the mesh's labels and annotations ask for a pod, before looking at any rule. */
export type IntendedMode = 'sidecar' | 'ambient' | 'none';

export interface ModeIntent {
  mode: IntendedMode;
  /** One phrase for messages: "annotation ambient.istio.io/redirection=enabled". */
  why: string;
  evidence: Evidence[];
}

const DATAPLANE_MODE = 'istio.io/dataplane-mode';
const REDIRECTION = 'ambient.istio.io/redirection';
const SIDECAR_STATUS = 'sidecar.istio.io/status';

/** Istio's own data-plane pods: they are never captured for themselves. */
export function isIstioInfrastructure(pod: K8s.Pod): boolean {
  return pod.labels['app'] === 'ztunnel'
    || pod.labels['gateway.networking.k8s.io/gateway-name'] !== undefined
    || pod.labels['gateway.istio.io/managed'] !== undefined
    || pod.labels['istio.io/gateway-name'] !== undefined;
}

/**
 * istio-cni's `PodRedirectionEnabled`: ambient when the pod's or its namespace's `istio.io/dataplane-mode`
 * is `ambient`, unless the pod has a sidecar (injection records `sidecar.istio.io/status`), opts out with
 * `dataplane-mode=none`, or uses the host network. `ambient.istio.io/redirection=enabled` is istio-cni's
 * own record that it captured the pod, so it states the intent as well.
 */
export function intendedMode(cluster: K8s.Cluster, pod: K8s.Pod): ModeIntent {
  if (isIstioInfrastructure(pod)) return { mode: 'none', why: 'an Istio data-plane pod', evidence: [] };
  const sidecar = sidecarEvidence(pod);
  if (sidecar) return { mode: 'sidecar', why: sidecar.why, evidence: [sidecar.evidence] };
  const redirection = pod.annotations[REDIRECTION];
  if (redirection === 'enabled') {
    return { mode: 'ambient', why: `annotation ${REDIRECTION}=enabled`, evidence: [metadataEvidence(pod.evidence, 'annotations', REDIRECTION, redirection)] };
  }
  const podMode = pod.labels[DATAPLANE_MODE];
  if (podMode === 'none' || pod.hostNetwork) return { mode: 'none', why: podMode === 'none' ? `label ${DATAPLANE_MODE}=none` : 'host network', evidence: [] };
  if (podMode === 'ambient') return { mode: 'ambient', why: `pod label ${DATAPLANE_MODE}=ambient`, evidence: [metadataEvidence(pod.evidence, 'labels', DATAPLANE_MODE, podMode)] };
  const ns = cluster.namespaces.find((n) => n.name === pod.namespace);
  if (ns?.labels[DATAPLANE_MODE] === 'ambient') {
    return { mode: 'ambient', why: `namespace label ${DATAPLANE_MODE}=ambient`, evidence: [metadataEvidence(ns.evidence, 'labels', DATAPLANE_MODE, 'ambient')] };
  }
  return { mode: 'none', why: 'no sidecar and no ambient label', evidence: [] };
}

/** Injection happened when the injector's status annotation is there; a container named istio-proxy says the same. */
function sidecarEvidence(pod: K8s.Pod): { why: string; evidence: Evidence } | undefined {
  const status = pod.annotations[SIDECAR_STATUS];
  if (status !== undefined) return { why: `annotation ${SIDECAR_STATUS}`, evidence: metadataEvidence(pod.evidence, 'annotations', SIDECAR_STATUS, 'present') };
  const i = pod.containers.findIndex((c) => c.name === 'istio-proxy');
  if (i >= 0) return { why: 'container istio-proxy', evidence: containerEvidence(pod.evidence, i, 'istio-proxy') };
  return undefined;
}
