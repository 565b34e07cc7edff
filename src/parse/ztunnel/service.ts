import { InputError } from '../../model/evidence.ts';
import type { NetworkAddress, ZLoadBalancer, ZService, ZServiceEndpoint } from '../../model/ztunnel.ts';
import { describe, isObject } from '../json.ts';
import { at, entriesOf, networkAddress, optString, portMap, type At } from './fields.ts';
import { gatewayAddress } from './waypoint.ts';
import { assignDefined } from './workload.ts';

/** One 1.19+ `Service` object (`by_vip`/`by_host` values, the 1.22 `services` map, the 1.23+ array). */
export function parseService(v: unknown, where: At): ZService {
  if (!isObject(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected a service object, found ${describe(v)}`);
  const name = optString(v, 'name', where) ?? '';
  const namespace = optString(v, 'namespace', where) ?? '';
  const hostname = optString(v, 'hostname', where) ?? '';
  const networkVips = vips(v['vips'], at(where, 'vips'));
  const ports = portMap(v['ports'], at(where, 'ports'));
  const owner = `service ${namespace}/${name}`;
  const waypoint = v['waypoint'] === undefined || v['waypoint'] === null ? undefined : gatewayAddress(v['waypoint'], at(where, 'waypoint'), owner);
  const svc: ZService = {
    name,
    namespace,
    hostname,
    vips: networkVips.map((a) => a.ip),
    networkVips,
    ports,
    endpoints: entriesOf(v['endpoints']).map(([k, ep]) => parseEndpoint(ep, at(where, 'endpoints', k))),
    evidence: {
      file: where.file,
      pointer: where.pointer,
      text: `${owner} ${networkVips.map((a) => a.ip).join(',') || '(no VIP)'} ports ${portsText(ports)}${waypoint ? ` waypoint ${waypoint.address}:${waypoint.port}` : ''}`,
    },
  };
  assignDefined(svc, {
    waypoint,
    loadBalancer: loadBalancer(v['loadBalancer']),
    subjectAltNames: Array.isArray(v['subjectAltNames']) && v['subjectAltNames'].length > 0 ? v['subjectAltNames'].filter((s): s is string => typeof s === 'string') : undefined,
  });
  return svc;
}

export function portsText(ports: Record<string, number>): string {
  const parts = Object.entries(ports).map(([p, t]) => `${p}→${t}`);
  return parts.length > 0 ? parts.join(',') : '(none)';
}

function vips(v: unknown, where: At): NetworkAddress[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected "vips" to be an array of "network/IP", found ${describe(v)}`);
  return v.map((a, i) => networkAddress(a, at(where, i)));
}

function parseEndpoint(v: unknown, where: At): ZServiceEndpoint {
  if (!isObject(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected an endpoint {workloadUid, port}, found ${describe(v)}`);
  const uid = optString(v, 'workloadUid', where);
  if (!uid) throw new InputError(where.file, { pointer: at(where, 'workloadUid').pointer }, `expected the endpoint's "workloadUid", found ${describe(v['workloadUid'])}`);
  const address = v['address'] === undefined || v['address'] === null ? undefined : networkAddress(v['address'], at(where, 'address')).ip;
  const ports = portMap(v['port'], at(where, 'port'));
  const status = optString(v, 'status', where);
  const ep: ZServiceEndpoint = { workload: uid, ports, evidence: { file: where.file, pointer: where.pointer, text: `endpoint ${uid}${address ? ` ${address}` : ''} ports ${portsText(ports)}${status ? ` ${status}` : ''}` } };
  assignDefined(ep, { address, status });
  return ep;
}

function loadBalancer(v: unknown): ZLoadBalancer | undefined {
  if (!isObject(v)) return undefined;
  const prefs = Array.isArray(v['routingPreferences']) ? v['routingPreferences'].filter((s): s is string => typeof s === 'string') : [];
  const lb: ZLoadBalancer = { mode: typeof v['mode'] === 'string' ? v['mode'] : 'Standard', routingPreferences: prefs };
  if (typeof v['healthPolicy'] === 'string') lb.healthPolicy = v['healthPolicy'];
  return lb;
}
