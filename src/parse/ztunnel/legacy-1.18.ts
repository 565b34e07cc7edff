import { InputError } from '../../model/evidence.ts';
import type { WaypointRef, ZService, ZServiceEndpoint, ZtunnelState, ZWorkload } from '../../model/ztunnel.ts';
import { describe, isObject } from '../json.ts';
import { at, looksLikeIp, optBool, optString, portOf, splitHostPort, type At } from './fields.ts';
import { portsText } from './service.ts';
import { assignDefined, summary, tunnelProtocol } from './workload.ts';

/** 1.18 hard-codes the waypoint's HBONE port (`SocketAddr::from((waypoint_address, 15008))`). */
const HBONE_PORT = 15008;

/**
 * The node-level ambient dump (1.18): `workloads` keyed by bare IP, and `vips` keyed `"VIP:port"` listing
 * `[podIP, targetPort]` pairs. 1.18 has no service objects, so each VIP becomes a nameless service.
 */
export function parseLegacy(root: Record<string, unknown>, file: string): ZtunnelState {
  const base: At = { file, pointer: '' };
  const workloads = Object.entries(isObject(root['workloads']) ? root['workloads'] : {}).map(([key, w]) => legacyWorkload(key, w, at(base, 'workloads', key)));
  const state: ZtunnelState = { file, schema: 'legacy-1.18', workloads, services: legacyServices(root['vips'], at(base, 'vips')) };
  const config = isObject(root['config']) ? root['config'] : {};
  assignDefined(state, {
    proxyMode: optString(root, 'proxy_mode', base) ?? optString(config, 'proxy_mode', at(base, 'config')),
    localNode: optString(root, 'local_node', base) ?? optString(config, 'local_node', at(base, 'config')),
    localIp: optString(config, 'local_ip', at(base, 'config')),
  });
  return state;
}

function legacyWorkload(key: string, v: unknown, where: At): ZWorkload {
  if (!isObject(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected a workload object, found ${describe(v)}`);
  const ip = optString(v, 'workloadIp', where) ?? (looksLikeIp(key) ? key : undefined);
  if (!ip || !looksLikeIp(ip)) throw new InputError(where.file, { pointer: at(where, 'workloadIp').pointer }, `expected the workload's "workloadIp", found ${describe(v['workloadIp'])}`, 'a 1.18 workload is keyed by its IP and repeats it in workloadIp');
  const name = optString(v, 'name', where) ?? '';
  const namespace = optString(v, 'namespace', where) ?? '';
  const protocol = tunnelProtocol(v['protocol'], at(where, 'protocol'));
  const waypoints = waypointAddresses(v['waypointAddresses'], at(where, 'waypointAddresses'), `workload ${namespace}/${name}`);
  const w: ZWorkload = {
    name,
    namespace,
    ips: [ip],
    protocol,
    evidence: { file: where.file, pointer: where.pointer, text: summary(`workload ${namespace}/${name}`, [ip], undefined, protocol, waypoints[0] && `${waypoints[0].address}:${waypoints[0].port}`) },
  };
  assignDefined(w, {
    serviceAccount: optString(v, 'serviceAccount', where) || undefined,
    trustDomain: optString(v, 'trustDomain', where) || undefined,
    node: optString(v, 'node', where) || undefined,
    clusterId: optString(v, 'clusterId', where) || undefined,
    waypoint: waypoints[0],
    waypoints: waypoints.length > 0 ? waypoints : undefined,
    gatewayAddress: gateway(v['gatewayAddress'], at(where, 'gatewayAddress')),
    nativeTunnel: optBool(v, 'nativeHbone'),
    status: optString(v, 'status', where),
  });
  return w;
}

function waypointAddresses(v: unknown, where: At, owner: string): WaypointRef[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected "waypointAddresses" to be an array of IPs, found ${describe(v)}`);
  return v.map((ip, i) => {
    const p = at(where, i);
    if (typeof ip !== 'string' || !looksLikeIp(ip)) throw new InputError(p.file, { pointer: p.pointer }, `expected a waypoint IP, found ${describe(ip)}`);
    return { address: ip, port: HBONE_PORT, evidence: { file: p.file, pointer: p.pointer, text: `${owner} waypoint ${ip}:${HBONE_PORT}` } };
  });
}

function gateway(v: unknown, where: At): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && splitHostPort(v)) return v;
  throw new InputError(where.file, { pointer: where.pointer }, `expected "gatewayAddress" as "ip:port" or null, found ${describe(v)}`);
}

/** Groups `"VIP:port" → [[podIP, targetPort]]` into one service per VIP. */
function legacyServices(v: unknown, where: At): ZService[] {
  if (v === undefined || v === null) return [];
  if (!isObject(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected "vips" to map "VIP:port" to [[podIP, targetPort]], found ${describe(v)}`);
  const byVip = new Map<string, ZService>();
  for (const [key, list] of Object.entries(v)) {
    const p = at(where, key);
    const sock = splitHostPort(key);
    if (!sock) throw new InputError(p.file, { pointer: p.pointer }, `expected a "VIP:port" key, found ${JSON.stringify(key)}`);
    if (!Array.isArray(list)) throw new InputError(p.file, { pointer: p.pointer }, `expected a list of [podIP, targetPort] pairs, found ${describe(list)}`);
    let svc = byVip.get(sock.ip);
    if (!svc) {
      svc = { name: '', namespace: '', hostname: '', vips: [sock.ip], networkVips: [{ network: '', ip: sock.ip }], ports: {}, endpoints: [], evidence: { file: p.file, pointer: p.pointer, text: '' } };
      byVip.set(sock.ip, svc);
    }
    const endpoints = list.map((pair, i) => legacyEndpoint(pair, sock.port, at(p, i)));
    const targets = new Set(endpoints.map((e) => e.ports[String(sock.port)]));
    // One target port for all pods is the service's; otherwise each endpoint keeps its own.
    svc.ports[String(sock.port)] = targets.size === 1 ? [...targets][0]! : 0;
    svc.endpoints.push(...endpoints);
  }
  for (const svc of byVip.values()) svc.evidence.text = `VIP ${svc.vips[0]} ports ${portsText(svc.ports)} (${svc.endpoints.length} endpoint${svc.endpoints.length === 1 ? '' : 's'})`;
  return [...byVip.values()];
}

function legacyEndpoint(pair: unknown, servicePort: number, where: At): ZServiceEndpoint {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || !looksLikeIp(pair[0])) {
    throw new InputError(where.file, { pointer: where.pointer }, `expected a [podIP, targetPort] pair, found ${describe(pair)}`);
  }
  const ip = pair[0];
  const target = portOf(pair[1], at(where, 1), 'a target port');
  return { workload: ip, address: ip, ports: { [String(servicePort)]: target }, evidence: { file: where.file, pointer: where.pointer, text: `endpoint ${ip}:${target} for port ${servicePort}` } };
}
