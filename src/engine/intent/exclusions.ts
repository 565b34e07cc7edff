import type { Evidence, K8s } from '../../model/index.ts';
import { cidrContains } from '../net/cidr.ts';
import { metadataEvidence } from './metadata.ts';

/** A `traffic.sidecar.istio.io/*` annotation that takes this connection out of the sidecar's capture. */
export interface Exclusion {
  annotation: string;
  value: string;
  /** What the annotation matched: "port 8000", "10.96.0.0/16". */
  matched: string;
  evidence: Evidence;
}

const PREFIX = 'traffic.sidecar.istio.io/';

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

/** istio-iptables' outbound options: `excludeOutboundPorts`, `excludeOutboundIPRanges`, and an `includeOutboundIPRanges` that leaves `ip` out. */
export function outboundExclusion(pod: K8s.Pod, ip: string, port: number): Exclusion | undefined {
  const ports = annotation(pod, 'excludeOutboundPorts');
  if (ports && list(ports.value).includes(String(port))) return { ...ports, matched: `port ${port}` };
  const ranges = annotation(pod, 'excludeOutboundIPRanges');
  const cidr = ranges && list(ranges.value).find((c) => cidrContains(c, ip));
  if (ranges && cidr) return { ...ranges, matched: cidr };
  const include = annotation(pod, 'includeOutboundIPRanges');
  if (include && include.value.trim() !== '*' && !list(include.value).some((c) => cidrContains(c, ip))) return { ...include, matched: `${ip} outside ${include.value}` };
  return undefined;
}

/** istio-iptables' inbound options: `excludeInboundPorts`, and an `includeInboundPorts` list without this port. */
export function inboundExclusion(pod: K8s.Pod, port: number): Exclusion | undefined {
  const ports = annotation(pod, 'excludeInboundPorts');
  if (ports && list(ports.value).includes(String(port))) return { ...ports, matched: `port ${port}` };
  const include = annotation(pod, 'includeInboundPorts');
  if (include && include.value.trim() !== '*' && !list(include.value).includes(String(port))) return { ...include, matched: `port ${port} not in ${include.value}` };
  return undefined;
}

function annotation(pod: K8s.Pod, name: string): Omit<Exclusion, 'matched'> | undefined {
  const key = PREFIX + name;
  const value = pod.annotations[key];
  return value === undefined ? undefined : { annotation: key, value, evidence: metadataEvidence(pod.evidence, 'annotations', key, value) };
}
