import { InputError } from '../../model/evidence.ts';
import type { ZLocality, ZWorkload } from '../../model/ztunnel.ts';
import { describe, isObject } from '../json.ts';
import { at, looksLikeIp, optBool, optString, portOf, type At } from './fields.ts';
import { gatewayAddress } from './waypoint.ts';

/** One 1.19+ `Workload` object (the same shape in `by_addr`, `by_uid`, the 1.22 `workloads` map and the 1.23+ array). */
export function parseWorkload(v: unknown, where: At): ZWorkload {
  if (!isObject(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected a workload object, found ${describe(v)}`);
  const ips = workloadIps(v['workloadIps'], at(where, 'workloadIps'));
  const hostname = optString(v, 'hostname', where) || undefined;
  if (ips.length === 0 && !hostname) {
    throw new InputError(where.file, { pointer: where.pointer }, 'expected a workload with at least one entry in "workloadIps" (or a "hostname")', 'ztunnel cannot route to a workload that has neither an IP nor a hostname');
  }
  const name = optString(v, 'name', where) ?? '';
  const namespace = optString(v, 'namespace', where) ?? '';
  const protocol = tunnelProtocol(v['protocol'], at(where, 'protocol'));
  const owner = `workload ${namespace}/${name}`;
  const waypoint = v['waypoint'] === undefined || v['waypoint'] === null ? undefined : gatewayAddress(v['waypoint'], at(where, 'waypoint'), owner);
  const w: ZWorkload = {
    name,
    namespace,
    ips,
    protocol,
    evidence: { file: where.file, pointer: where.pointer, text: summary(owner, ips, hostname, protocol, waypoint && `${waypoint.address}:${waypoint.port}`) },
  };
  assignDefined(w, {
    uid: optString(v, 'uid', where) || undefined,
    serviceAccount: optString(v, 'serviceAccount', where) || undefined,
    trustDomain: optString(v, 'trustDomain', where) || undefined,
    hostname,
    network: optString(v, 'network', where) || undefined,
    node: optString(v, 'node', where) || undefined,
    clusterId: optString(v, 'clusterId', where) || undefined,
    locality: locality(v['locality']),
    waypoint,
    nativeTunnel: optBool(v, 'nativeTunnel') ?? optBool(v, 'nativeHbone'),
    applicationTunnel: applicationTunnel(v['applicationTunnel'], at(where, 'applicationTunnel')),
    status: optString(v, 'status', where),
  });
  return w;
}

export function summary(owner: string, ips: string[], hostname: string | undefined, protocol: string, waypoint: string | undefined): string {
  const addr = ips.length > 0 ? ips.join(',') : `hostname ${hostname}`;
  return `${owner} ${addr} ${protocol}${waypoint ? ` waypoint ${waypoint}` : ''}`;
}

function workloadIps(v: unknown, where: At): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected "workloadIps" to be an array of IPs, found ${describe(v)}`);
  return v.map((ip, i) => {
    if (typeof ip === 'string' && looksLikeIp(ip)) return ip;
    throw new InputError(where.file, { pointer: at(where, i).pointer }, `expected an IP address, found ${describe(ip)}`);
  });
}

/** ztunnel's `Protocol` enum serialises as `TCP` or `HBONE`; a missing value is its default, TCP. */
export function tunnelProtocol(v: unknown, where: At): 'HBONE' | 'TCP' {
  if (v === undefined || v === null || v === 'TCP') return 'TCP';
  if (v === 'HBONE') return 'HBONE';
  throw new InputError(where.file, { pointer: where.pointer }, `expected protocol "HBONE" or "TCP", found ${describe(v)}`);
}

function locality(v: unknown): ZLocality | undefined {
  if (!isObject(v)) return undefined;
  const out: ZLocality = {};
  for (const k of ['region', 'zone', 'subzone'] as const) if (typeof v[k] === 'string' && v[k] !== '') out[k] = v[k] as string;
  return Object.keys(out).length > 0 ? out : undefined;
}

function applicationTunnel(v: unknown, where: At): ZWorkload['applicationTunnel'] {
  if (!isObject(v)) return undefined;
  const protocol = typeof v['protocol'] === 'string' ? v['protocol'] : 'NONE';
  return v['port'] === undefined || v['port'] === null ? { protocol } : { protocol, port: portOf(v['port'], at(where, 'port'), 'the application tunnel port') };
}

/** Copies only the fields that have a value, so the normalised model never carries `key: undefined`. */
export function assignDefined<T extends object>(target: T, fields: Partial<T>): void {
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) (target as Record<string, unknown>)[k] = v;
}
