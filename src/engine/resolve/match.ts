import type { Cluster, Pod, Service } from '../../model/k8s.ts';
import type { Reading, WorkloadKind } from './query.ts';

/** What one reading of the argument found in one namespace. */
export type Match =
  | { service: Service; what: string }
  | { pods: Pod[]; what: string };

export type Role = 'source' | 'destination';

const OWNER_KIND: Partial<Record<WorkloadKind, string>> = { deployment: 'Deployment', statefulset: 'StatefulSet', daemonset: 'DaemonSet' };

/**
 * Resolves one reading in one namespace, kubectl's way: an explicit kind decides; a bare name is a
 * Service first for a destination (what a client dials), else a pod, else a workload or app name.
 * A source must be a pod, so a Service there stands for the pods it selects.
 */
export function matchIn(cluster: Cluster, reading: Reading, namespace: string, role: Role): Match | undefined {
  const { name, kind } = reading;
  const id = `${namespace}/${name}`;
  const service = cluster.services.find((s) => s.namespace === namespace && s.name === name);
  const asService = (): Match | undefined => {
    if (!service) return undefined;
    // A source Service with no pods stays a Service match, so the error can say why it is no source.
    if (role === 'destination') return { service, what: `service ${id}` };
    return nonEmpty(selectedPods(cluster, service), `the pods selected by service ${id}`) ?? { service, what: `service ${id}` };
  };
  const pods = cluster.pods.filter((p) => p.namespace === namespace);
  const exact = () => nonEmpty(pods.filter((p) => p.name === name), `pod ${id}`);
  switch (kind) {
    case 'pod':
      return exact();
    case 'service':
      return asService();
    case undefined: {
      const workload = () => nonEmpty(pods.filter((p) => isWorkload(p, name)), `workload ${id}`);
      return role === 'destination' ? (asService() ?? exact() ?? workload()) : (exact() ?? workload() ?? asService());
    }
    default:
      return nonEmpty(pods.filter((p) => p.owners.some((o) => o.kind === OWNER_KIND[kind] && o.name === name)), `${kind} ${id}`);
  }
}

/** Pods a Service's selector picks; a Service without a selector picks none. */
export function selectedPods(cluster: Cluster, service: Service): Pod[] {
  const selector = service.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return cluster.pods.filter((p) => p.namespace === service.namespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v));
}

/** The `app` / `app.kubernetes.io/name` label, or the Deployment, StatefulSet or DaemonSet owning the pod. */
function isWorkload(pod: Pod, name: string): boolean {
  return pod.labels['app'] === name || pod.labels['app.kubernetes.io/name'] === name || pod.owners.some((o) => o.name === name && Object.values(OWNER_KIND).includes(o.kind));
}

function nonEmpty(pods: Pod[], what: string): Match | undefined {
  return pods.length > 0 ? { pods, what } : undefined;
}
