import type { Evidence, Finding } from '../../model/evidence.ts';
import type { SocketAddr } from '../../model/envoy.ts';
import { InputError } from '../../model/evidence.ts';
import { describe, isArray, isNumber, isObject, isString, ptr } from '../json.ts';

/** One parse of one file: where errors and findings are attributed. */
export interface Ctx {
  file: string;
  findings: Finding[];
}

export function evidence(ctx: Ctx, pointer: string, text: string): Evidence {
  return { file: ctx.file, pointer, text };
}

/** Well-formed config the engine does not understand: kept and reported. */
export function unsupported(ctx: Ctx, pointer: string, message: string): void {
  ctx.findings.push({ code: 'unsupported', severity: 'warning', message, hops: [], evidence: [{ file: ctx.file, pointer }] });
}

export function wrong(ctx: Ctx, pointer: string, expected: string, value: unknown): never {
  throw new InputError(ctx.file, { pointer }, `expected ${expected}, found ${describe(value)}`, 'the file should be the JSON of Envoy admin GET /config_dump?include_eds');
}

export function obj(ctx: Ctx, v: unknown, pointer: string, what = 'an object'): Record<string, unknown> {
  return isObject(v) ? v : wrong(ctx, pointer, what, v);
}

export function optObj(ctx: Ctx, o: Record<string, unknown>, key: string, pointer: string): Record<string, unknown> | undefined {
  const v = o[key];
  if (v === undefined || isObject(v)) return v;
  return wrong(ctx, ptr(pointer, key), 'an object', v);
}

export function arr(ctx: Ctx, o: Record<string, unknown>, key: string, pointer: string): unknown[] {
  const v = o[key];
  if (v === undefined) return [];
  return isArray(v) ? v : wrong(ctx, ptr(pointer, key), 'an array', v);
}

export function str(ctx: Ctx, o: Record<string, unknown>, key: string, pointer: string): string {
  const v = o[key];
  return isString(v) ? v : wrong(ctx, ptr(pointer, key), 'a string', v);
}

export function optStr(ctx: Ctx, o: Record<string, unknown>, key: string, pointer: string): string | undefined {
  return o[key] === undefined ? undefined : str(ctx, o, key, pointer);
}

/** Protobuf JSON renders 64-bit and wrapped integers as numbers or decimal strings. */
export function optNum(ctx: Ctx, o: Record<string, unknown>, key: string, pointer: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (isNumber(v)) return v;
  if (isString(v) && /^\d+$/.test(v)) return Number(v);
  if (isObject(v) && isNumber(v.value)) return v.value;
  return wrong(ctx, ptr(pointer, key), 'a number', v);
}

export function optBool(ctx: Ctx, o: Record<string, unknown>, key: string, pointer: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  if (isObject(v) && typeof v.value === 'boolean') return v.value;
  return wrong(ctx, ptr(pointer, key), 'a boolean', v);
}

export function strList(ctx: Ctx, o: Record<string, unknown>, key: string, pointer: string): string[] {
  return arr(ctx, o, key, pointer).map((v, i) => (isString(v) ? v : wrong(ctx, ptr(pointer, key, i), 'a string', v)));
}

export function numList(ctx: Ctx, o: Record<string, unknown>, key: string, pointer: string): number[] {
  return arr(ctx, o, key, pointer).map((v, i) => (isNumber(v) ? v : wrong(ctx, ptr(pointer, key, i), 'a number', v)));
}

/** `typed_config` with a `TypedStruct` wrapper unwrapped: its type name (last path segment) and body. */
export function typedConfig(ctx: Ctx, o: Record<string, unknown>, pointer: string): { type: string; body: Record<string, unknown>; pointer: string } {
  const tc = optObj(ctx, o, 'typed_config', pointer);
  if (!tc) return { type: '', body: {}, pointer };
  const p = ptr(pointer, 'typed_config');
  const type = optStr(ctx, tc, '@type', p) ?? '';
  if (/\.TypedStruct$/.test(type)) {
    const inner = optStr(ctx, tc, 'type_url', p) ?? '';
    return { type: inner.replace(/^.*\//, ''), body: optObj(ctx, tc, 'value', p) ?? {}, pointer: ptr(p, 'value') };
  }
  return { type: type.replace(/^.*\//, ''), body: tc, pointer: p };
}

export interface ParsedAddress {
  socket?: SocketAddr;
  internal?: { listener: string; endpointId?: string };
}

/** `address`: a `socket_address` or an `envoy_internal_address`; other kinds (pipe) are reported. */
export function address(ctx: Ctx, v: unknown, pointer: string): ParsedAddress {
  const a = obj(ctx, v, pointer, 'an address object');
  const sa = optObj(ctx, a, 'socket_address', pointer);
  if (sa) {
    const p = ptr(pointer, 'socket_address');
    return { socket: { ip: str(ctx, sa, 'address', p), port: optNum(ctx, sa, 'port_value', p) ?? 0 } };
  }
  const ia = optObj(ctx, a, 'envoy_internal_address', pointer);
  if (ia) {
    const p = ptr(pointer, 'envoy_internal_address');
    return { internal: { listener: str(ctx, ia, 'server_listener_name', p), endpointId: optStr(ctx, ia, 'endpoint_id', p) } };
  }
  unsupported(ctx, pointer, `address kind ${Object.keys(a).join(', ') || '(empty)'} is not a socket or internal address`);
  return {};
}

export function hostPort(a: SocketAddr): string {
  return a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}
