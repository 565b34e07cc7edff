import { InputError } from '../../model/evidence.ts';
import type { WaypointRef } from '../../model/ztunnel.ts';
import { describe, isObject } from '../json.ts';
import { at, looksLikeIp, portOf, type At } from './fields.ts';

/** HBONE port every Istio waypoint listens on; the dump leaves it out only when it is this default. */
const HBONE_PORT = 15008;

/**
 * A `GatewayAddress` (1.19+): `{destination: "network/IP" | "namespace/hostname", port}` in 1.19–1.20,
 * `hboneMtlsPort` (plus `hboneSingleTlsPort`) from 1.21.
 */
export function gatewayAddress(v: unknown, where: At, owner: string): WaypointRef {
  if (!isObject(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected a waypoint {destination, hboneMtlsPort}, found ${describe(v)}`);
  const dest = v['destination'];
  if (typeof dest !== 'string') throw new InputError(where.file, { pointer: at(where, 'destination').pointer }, `expected the waypoint destination "network/IP" or "namespace/hostname", found ${describe(dest)}`);
  const rawPort = v['hboneMtlsPort'] ?? v['port'];
  const port = rawPort === undefined ? HBONE_PORT : portOf(rawPort, at(where, v['hboneMtlsPort'] !== undefined ? 'hboneMtlsPort' : 'port'), 'the waypoint HBONE port');
  const slash = dest.indexOf('/');
  const [left, right] = slash < 0 ? ['', dest] : [dest.slice(0, slash), dest.slice(slash + 1)];
  const text = `${owner} waypoint ${dest}:${port}`;
  if (looksLikeIp(right)) return { address: right, port, network: left, evidence: { file: where.file, pointer: where.pointer, text } };
  return { address: right, port, hostname: { namespace: left, hostname: right }, evidence: { file: where.file, pointer: where.pointer, text } };
}
