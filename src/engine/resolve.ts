import type { Cluster, Pod, Service, ServicePort } from '../model/k8s.ts';
import { closestNames } from './resolve/closest.ts';
import type { ServiceEndpoint } from './resolve/endpoints.ts';
import { serviceEndpoints } from './resolve/endpoints.ts';
import { ResolveError } from './resolve/error.ts';
import type { Match, Role } from './resolve/match.ts';
import { matchIn } from './resolve/match.ts';
import { ipPort, podPort, servicePort } from './resolve/ports.ts';
import type { Reading } from './resolve/query.ts';
import { parseQuery } from './resolve/query.ts';

export { ResolveError } from './resolve/error.ts';
export type { ServiceEndpoint } from './resolve/endpoints.ts';

export interface PodTarget {
  kind: 'pod';
  pod: Pod;
  /** Every pod the argument matched, in the order they were ranked; `pod` is the first. */
  chosenFrom: Pod[];
  /** Destination only: the port given, or the one port the pod's application declares. */
  port?: number;
  note?: string;
}

export interface ServiceTarget {
  kind: 'service';
  service: Service;
  port: ServicePort;
  /** Backends of `port`, ready ones first. */
  endpoints: ServiceEndpoint[];
  note?: string;
}

export interface IpTarget {
  kind: 'ip';
  ip: string;
  port?: number;
  note?: string;
}

export type Target = PodTarget | ServiceTarget | IpTarget;

export interface ResolveOptions {
  /** `-n`; `default` when absent. A namespace written in the argument wins. */
  namespace?: string;
}

export interface DestinationOptions extends ResolveOptions {
  /** `--port`: a number or a port name. */
  port?: string | number;
}

const DEFAULT_NAMESPACE = 'default';
const OTHERS_SHOWN = 5;

/** The pod a `<source>` argument names. */
export function resolveSource(cluster: Cluster, text: string, options: ResolveOptions = {}): PodTarget {
  const query = parseQuery(text);
  if (query.port !== undefined) throw new ResolveError(`the source "${text}" has a port; the port belongs to the destination`);
  if (query.form === 'ip') {
    const pods = podsWithIp(cluster, query.ip);
    if (pods.length === 0) throw new ResolveError(`no pod has IP ${query.ip} in the snapshot; a source must be a pod`);
    return pickPod(pods, `IP ${query.ip}`);
  }
  const { match, note } = find(cluster, query.readings, options.namespace ?? DEFAULT_NAMESPACE, 'source');
  return withNote(pickPod(podsOf(match), match.what), note);
}

/** The pod, Service (with its port and backends) or bare IP a `<destination>` argument names. */
export function resolveDestination(cluster: Cluster, text: string, options: DestinationOptions = {}): Target {
  const query = parseQuery(text);
  const port = requestedPort(query.port, options.port, text);
  const shortName = query.port === undefined ? text : text.slice(0, -(query.port.length + 1));
  if (query.form === 'ip') return byIp(cluster, query.ip, port, shortName);
  const { match, note } = find(cluster, query.readings, options.namespace ?? DEFAULT_NAMESPACE, 'destination');
  if ('service' in match) return withNote(toService(cluster, match.service, port, shortName), note);
  const target = pickPod(match.pods, match.what);
  return withNote({ ...target, ...optionalPort(podPort(target.pod, port)) }, note);
}

function requestedPort(fromQuery: string | undefined, fromOption: string | number | undefined, text: string): string | undefined {
  const option = fromOption === undefined ? undefined : String(fromOption);
  if (fromQuery !== undefined && option !== undefined && fromQuery !== option) {
    throw new ResolveError(`two ports given: "${text}" and --port ${option}; pass one`);
  }
  return fromQuery ?? option;
}

/**
 * The first reading that matches in its namespace; failing that, a bare name found in exactly one
 * other namespace (said in the note). Anything else is an error that points at the nearest names.
 */
function find(cluster: Cluster, readings: Reading[], namespace: string, role: Role): { match: Match; note?: string } {
  for (const reading of readings) {
    const match = matchIn(cluster, reading, reading.namespace ?? namespace, role);
    if (match) return { match };
  }
  for (const reading of readings.filter((r) => r.namespace === undefined)) {
    const elsewhere = namespacesOf(cluster)
      .filter((ns) => ns !== namespace)
      .flatMap((ns) => {
        const match = matchIn(cluster, reading, ns, role);
        return match ? [{ ns, match }] : [];
      });
    if (elsewhere.length === 1) {
      return { match: elsewhere[0].match, note: `nothing named "${reading.name}" in namespace ${namespace}; using ${elsewhere[0].match.what}, the only match` };
    }
    if (elsewhere.length > 1) {
      throw new ResolveError(`${wanted(reading)} is not in namespace ${namespace} but is in namespaces ${elsewhere.map((e) => e.ns).join(', ')}; pass -n NAMESPACE`);
    }
  }
  const first = readings[0];
  const ns = first.namespace ?? namespace;
  const unknownNs = namespacesOf(cluster).includes(ns) ? '' : ' (no such namespace in the snapshot)';
  const closest = closestNames(cluster, first.name, ns);
  throw new ResolveError(`no ${wanted(first)} in namespace ${ns}${unknownNs}; ${closest.length ? `closest: ${closest.join(', ')}` : 'no similar name in the snapshot'}`);
}

function wanted(reading: Reading): string {
  switch (reading.kind) {
    case undefined:
      return `pod, workload or service "${reading.name}"`;
    case 'pod':
    case 'service':
      return `${reading.kind} "${reading.name}"`;
    default:
      return `pod of ${reading.kind} "${reading.name}"`;
  }
}

function namespacesOf(cluster: Cluster): string[] {
  const all = [...cluster.namespaces.map((n) => n.name), ...cluster.pods.map((p) => p.namespace), ...cluster.services.map((s) => s.namespace)];
  return [...new Set(all)].sort();
}

function podsOf(match: Match): Pod[] {
  if ('pods' in match) return match.pods;
  throw new ResolveError(`${match.what} selects no pods in the snapshot; a source must be a pod`);
}

/** Running pods first, then by name, so the same snapshot always yields the same pod. */
function pickPod(pods: Pod[], what: string): PodTarget {
  const ranked = [...pods].sort((a, b) => Number(b.phase === 'Running') - Number(a.phase === 'Running') || a.name.localeCompare(b.name) || a.namespace.localeCompare(b.namespace));
  const [pod, ...others] = ranked;
  if (others.length === 0) return { kind: 'pod', pod, chosenFrom: ranked };
  const shown = others.slice(0, OTHERS_SHOWN).map((p) => p.name).join(', ');
  const more = others.length > OTHERS_SHOWN ? ` and ${others.length - OTHERS_SHOWN} more` : '';
  return { kind: 'pod', pod, chosenFrom: ranked, note: `${ranked.length} pods match ${what}; using ${pod.name}${pod.phase ? ` (${pod.phase})` : ''}; others: ${shown}${more}` };
}

function toService(cluster: Cluster, service: Service, requested: string | undefined, shortName: string): ServiceTarget {
  const port = servicePort(service, requested, shortName);
  const { endpoints, fromSelector } = serviceEndpoints(cluster, service, port);
  const note = fromSelector ? `no EndpointSlice for service ${service.namespace}/${service.name} in the snapshot; its backends are the pods its selector picks` : undefined;
  return { kind: 'service', service, port, endpoints, ...(note ? { note } : {}) };
}

/** A pod IP is that pod, a cluster IP its Service; any other address is traced as a bare IP. */
function byIp(cluster: Cluster, ip: string, requested: string | undefined, shortName: string): Target {
  const service = cluster.services.find((s) => s.clusterIPs.includes(ip));
  if (service) return toService(cluster, service, requested, shortName);
  const pods = podsWithIp(cluster, ip);
  if (pods.length > 0) {
    const target = pickPod(pods, `IP ${ip}`);
    return { ...target, ...optionalPort(podPort(target.pod, requested)) };
  }
  const node = cluster.nodes.find((n) => n.addresses.some((a) => a.address === ip));
  const note = node ? `${ip} is an address of node ${node.name}` : `${ip} is not a pod, service or node address in the snapshot`;
  return { kind: 'ip', ip, ...optionalPort(ipPort(ip, requested)), note };
}

/** Host-network pods share their node's address, so an IP names a pod only when the pod has its own. */
function podsWithIp(cluster: Cluster, ip: string): Pod[] {
  return cluster.pods.filter((p) => !p.hostNetwork && p.ips.includes(ip));
}

function optionalPort(port: number | undefined): { port?: number } {
  return port === undefined ? {} : { port };
}

function withNote<T extends Target>(target: T, note: string | undefined): T {
  if (note === undefined) return target;
  return { ...target, note: target.note ? `${note}; ${target.note}` : note };
}
