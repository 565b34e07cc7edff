import { InputError } from '../../model/evidence.ts';
import type { ZService, ZWorkload } from '../../model/ztunnel.ts';
import { describe, isObject } from '../json.ts';
import { at, entriesOf, type At } from './fields.ts';
import { parseService } from './service.ts';
import { parseWorkload } from './workload.ts';

/**
 * Reads a map or array of workloads. Maps keyed by address list a workload once per IP, so entries are
 * merged by UID (or namespace/name when a UID is missing); the first occurrence keeps the evidence.
 */
export function readWorkloads(v: unknown, where: At, into: Map<string, ZWorkload>): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) && !isObject(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected a map or an array of workloads, found ${describe(v)}`);
  for (const [k, w] of entriesOf(v)) {
    const wl = parseWorkload(w, at(where, k));
    const key = wl.uid ?? `${wl.namespace}/${wl.name}/${wl.ips.join(',')}`;
    if (!into.has(key)) into.set(key, wl);
  }
}

/** Reads a map or array of services, merged by `namespace/hostname` (a service is listed once per VIP in a map). */
export function readServices(v: unknown, where: At, into: Map<string, ZService>): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) && !isObject(v)) throw new InputError(where.file, { pointer: where.pointer }, `expected a map or an array of services, found ${describe(v)}`);
  for (const [k, s] of entriesOf(v)) {
    const svc = parseService(s, at(where, k));
    const key = `${svc.namespace}/${svc.hostname || svc.name}`;
    if (!into.has(key)) into.set(key, svc);
  }
}

/** 1.19–1.21 `by_host`: hostname → list of services (one per namespace). */
export function readServicesByHost(v: unknown, where: At, into: Map<string, ZService>): void {
  for (const [host, list] of entriesOf(v)) readServices(Array.isArray(list) ? list : [], at(where, host), into);
}
