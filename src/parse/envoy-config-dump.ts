import type { EnvoyConfig } from '../model/envoy.ts';
import { isArray, need, parseJsonText, ptr } from './json.ts';
import { type Ctx, obj, str, unsupported } from './envoy/read.ts';
import { DUMP_EXPECTED, sectionOf } from './envoy/sections.ts';

/** Envoy admin `GET /config_dump?include_eds` (JSON). */
export function parseEnvoyConfigDump(text: string, file: string): EnvoyConfig {
  const ctx: Ctx = { file, findings: [] };
  const root = obj(ctx, parseJsonText(text, file, DUMP_EXPECTED), '', 'an object with "configs"');
  const configs = need(root.configs, isArray, file, '/configs', 'an array of config dumps');
  const cfg: EnvoyConfig = {
    file,
    listeners: [],
    routeConfigs: new Map(),
    clusters: new Map(),
    endpoints: new Map(),
    sections: { listeners: false, clusters: false, routes: false, endpoints: false },
    findings: ctx.findings,
  };
  configs.forEach((c, i) => {
    const pointer = ptr('/configs', i);
    const dump = obj(ctx, c, pointer, 'a config dump object');
    const type = str(ctx, dump, '@type', pointer).replace(/^.*\./, '');
    const section = sectionOf(type);
    if (section) section(ctx, dump, pointer, cfg);
    else unsupported(ctx, pointer, `config dump section ${type} is not read`);
  });
  return cfg;
}

// The deferred reading of the same dump, for snapshots: see its comment.
export { indexEnvoyConfigDump } from './envoy/deferred.ts';
