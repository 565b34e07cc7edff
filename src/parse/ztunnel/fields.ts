import { InputError } from '../../model/evidence.ts';
import type { NetworkAddress } from '../../model/ztunnel.ts';
import { describe, isObject, ptr } from '../json.ts';

/** Reading context: the file and the pointer of the object being read. */
export interface At {
  file: string;
  pointer: string;
}

export function at(base: At, ...tokens: (string | number)[]): At {
  return { file: base.file, pointer: ptr(base.pointer, ...tokens) };
}

/** An optional string field: absent or null reads as undefined; any other non-string is an error. */
export function optString(obj: Record<string, unknown>, key: string, where: At): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw new InputError(where.file, { pointer: ptr(where.pointer, key) }, `expected a string, found ${describe(v)}`);
}

export function optBool(obj: Record<string, unknown>, key: string): boolean | undefined {
  const v = obj[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** A port number given as a JSON number or a decimal string (JSON object keys). */
export function portOf(v: unknown, where: At, what: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  throw new InputError(where.file, { pointer: where.pointer }, `expected ${what} (a port number 0-65535), found ${describe(v)}`);
}

/** `{"9080": 9080}`: servicePort → targetPort, as ztunnel serialises a `HashMap<u16, u16>`. */
export function portMap(v: unknown, where: At): Record<string, number> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected a port map {"servicePort": targetPort}, found ${describe(v)}`);
  const out: Record<string, number> = {};
  for (const [k, target] of Object.entries(v)) {
    const port = portOf(k, where, 'a service port key');
    out[String(port)] = portOf(target, at(where, k), 'a target port');
  }
  return out;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function looksLikeIp(s: string): boolean {
  return IPV4.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));
}

/** ztunnel prints a `NetworkAddress` as `network/IP` (the default network is empty: `/10.96.0.1`); a bare IP is accepted too. */
export function networkAddress(v: unknown, where: At): NetworkAddress {
  if (typeof v !== 'string') throw new InputError(where.file, { pointer: where.pointer }, `expected a network address "network/IP", found ${describe(v)}`);
  const slash = v.indexOf('/');
  const [network, ip] = slash < 0 ? ['', v] : [v.slice(0, slash), v.slice(slash + 1)];
  if (!looksLikeIp(ip)) throw new InputError(where.file, { pointer: where.pointer }, `expected a network address "network/IP", found ${JSON.stringify(v)}`, 'ztunnel prints addresses as network/IP, e.g. "/10.96.0.1"');
  return { network, ip };
}

/** `ip:port` or `[v6]:port`. */
export function splitHostPort(s: string): { ip: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m || !looksLikeIp(m[1]!)) return undefined;
  const port = Number(m[2]);
  return port <= 65535 ? { ip: m[1]!, port } : undefined;
}

export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** A map or an array of entries, each with the pointer token that reaches it. */
export function entriesOf(v: unknown): [string, unknown][] {
  if (Array.isArray(v)) return v.map((x, i) => [String(i), x]);
  if (isObject(v)) return Object.entries(v);
  return [];
}
