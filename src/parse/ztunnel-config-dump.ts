import { InputError } from '../model/evidence.ts';
import type { ZService, ZtunnelSchema, ZtunnelState, ZWorkload } from '../model/ztunnel.ts';
import { isObject, parseJsonText } from './json.ts';
import { readServices, readServicesByHost, readWorkloads } from './ztunnel/collections.ts';
import type { At } from './ztunnel/fields.ts';
import { parseLegacy } from './ztunnel/legacy-1.18.ts';

const SUPPORTED =
  '1.18 {workloads keyed by IP, vips, workload_to_vip, proxy_mode}; 1.19–1.21 {by_addr, by_uid, by_vip}; 1.22 {workloads, services} maps; 1.23+ {workloads, services} arrays';

/** Parses ztunnel's admin `/config_dump` of any generation into the normalised {@link ZtunnelState}. */
export function parseZtunnelConfigDump(text: string, file: string): ZtunnelState {
  const root = parseJsonText(text, file, "ztunnel's /config_dump JSON");
  if (Array.isArray(root)) {
    throw new InputError(file, { pointer: '' }, 'expected a ztunnel /config_dump object, found a JSON array', 'a list of {info, state, connections} is a connections dump (the values of "workloadState"), not a config dump');
  }
  if (!isObject(root)) throw new InputError(file, { pointer: '' }, 'expected a ztunnel /config_dump object', `supported schemas: ${SUPPORTED}`);
  const schema = detectSchema(root);
  if (!schema) {
    const keys = Object.keys(root);
    throw new InputError(file, { pointer: '' }, `unknown ztunnel config_dump schema: top-level keys ${keys.length > 0 ? keys.map((k) => JSON.stringify(k)).join(', ') : '(none)'}`, `supported schemas: ${SUPPORTED}`);
  }
  if (schema === 'legacy-1.18') return parseLegacy(root, file);
  return { file, schema, ...readCollections(root, schema, { file, pointer: '' }) };
}

export function detectSchema(root: Record<string, unknown>): ZtunnelSchema | undefined {
  const has = (k: string) => root[k] !== undefined;
  if (has('vips') || has('workload_to_vip') || has('proxy_mode') || hasLegacyWorkload(root['workloads'])) return 'legacy-1.18';
  if (has('by_addr') || has('by_uid') || has('by_vip')) return 'by-addr-1.19';
  if (Array.isArray(root['workloads']) || Array.isArray(root['services'])) return 'arrays-1.23';
  if (isObject(root['workloads']) || isObject(root['services'])) return 'maps-1.22';
  return undefined;
}

function hasLegacyWorkload(v: unknown): boolean {
  return isObject(v) && Object.values(v).some((w) => isObject(w) && w['workloadIp'] !== undefined);
}

function readCollections(root: Record<string, unknown>, schema: ZtunnelSchema, base: At): { workloads: ZWorkload[]; services: ZService[] } {
  const workloads = new Map<string, ZWorkload>();
  const services = new Map<string, ZService>();
  const part = (k: string): At => ({ file: base.file, pointer: `/${k}` });
  if (schema === 'by-addr-1.19') {
    readWorkloads(root['by_addr'], part('by_addr'), workloads);
    // Workloads with only a hostname have no address, so only by_uid lists them.
    readWorkloads(root['by_uid'], part('by_uid'), workloads);
    readServices(root['by_vip'], part('by_vip'), services);
    readServicesByHost(root['by_host'], part('by_host'), services);
  } else {
    readWorkloads(root['workloads'], part('workloads'), workloads);
    readServices(root['services'], part('services'), services);
  }
  return { workloads: [...workloads.values()], services: [...services.values()] };
}
