import type { Evidence } from '../../model/evidence.ts';
import type { Cluster, Pod, Service, ServicePort } from '../../model/k8s.ts';
import { selectedPods } from './match.ts';
import { targetPortOn } from './ports.ts';

/** One backend of a Service port. */
export interface ServiceEndpoint {
  ip: string;
  /** The target port on the backend; undefined when a named targetPort cannot be looked up. */
  port?: number;
  ready: boolean;
  pod?: Pod;
  node?: string;
  evidence: Evidence;
}

/**
 * The Service's backends from its EndpointSlices, ready ones first; without any slice (a snapshot
 * that lacks them), the pods its selector picks, with Running read as ready.
 */
export function serviceEndpoints(cluster: Cluster, service: Service, port: ServicePort): { endpoints: ServiceEndpoint[]; fromSelector: boolean } {
  const slices = cluster.endpointSlices.filter((s) => s.namespace === service.namespace && s.service === service.name);
  const podNamed = (name: string | undefined) => (name === undefined ? undefined : cluster.pods.find((p) => p.namespace === service.namespace && p.name === name));
  const endpoints: ServiceEndpoint[] = slices.flatMap((slice) => {
    const slicePort = slice.ports.find((p) => (p.name ?? '') === (port.name ?? '') && p.protocol === port.protocol);
    return slice.endpoints.flatMap((e) => {
      const pod = podNamed(e.pod);
      const node = e.node ?? pod?.node;
      return e.addresses.map((ip) => ({
        ip,
        port: slicePort?.port ?? targetPortOn(port, pod),
        ready: e.ready,
        ...(pod ? { pod } : {}),
        ...(node ? { node } : {}),
        evidence: { ...slice.evidence, text: `EndpointSlice ${slice.namespace}/${slice.name} endpoint ${ip}` },
      }));
    });
  });
  if (slices.length > 0) return { endpoints: readyFirst(endpoints), fromSelector: false };
  const fromPods = selectedPods(cluster, service).flatMap((pod) =>
    pod.ips.map((ip) => ({
      ip,
      port: targetPortOn(port, pod),
      ready: pod.phase === 'Running',
      pod,
      ...(pod.node ? { node: pod.node } : {}),
      evidence: pod.evidence,
    })),
  );
  return { endpoints: readyFirst(fromPods), fromSelector: true };
}

function readyFirst(endpoints: ServiceEndpoint[]): ServiceEndpoint[] {
  return [...endpoints].sort((a, b) => Number(b.ready) - Number(a.ready));
}
