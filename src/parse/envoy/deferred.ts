import type { Finding } from '../../model/evidence.ts';
import { InputError } from '../../model/evidence.ts';
import type { Cluster, Endpoint, EnvoyConfig, Listener, RouteConfig } from '../../model/envoy.ts';
import type { ByteSource } from '../byte-source.ts';
import { need, isArray, parseJsonText, ptr } from '../json.ts';
import { parseCluster } from './clusters.ts';
import { DeferredMap } from './deferred-map.ts';
import { parseLoadAssignment } from './endpoints.ts';
import { listenerChains, type ListenerChains, listenerHead } from './listeners.ts';
import { type Ctx, obj, optObj, optStr, unsupported, wrong } from './read.ts';
import { ARRAY, type JsonNode, OBJECT, scanJson, STRING, utf8 } from './scan.ts';
import { parseRouteConfig } from './routes.ts';
import { DUMP_EXPECTED, sectionOf } from './sections.ts';

/** Deep enough to read `configs[i].<list>[j].<entry>.name`; nothing below it gets a node. */
const INDEX_DEPTH = 6;
/** Of the objects at each depth, the members the index reads (all of a section's). */
const INDEX_MEMBERS = [['configs'], undefined, undefined, undefined, ['cluster', 'endpoint_config', 'route_config'], ['name', 'cluster_name']];
/** The least a read of the dump after the scan fetches: entries are read in document order, most far smaller. */
const BLOCK = 64 * 1024;

/** One deferred entry: built once, on first use, with the findings it raised. */
class Entry<T> {
  readonly findings: Finding[] = [];
  #value: T | undefined;
  #built = false;

  constructor(private readonly build: (ctx: Ctx) => T, private readonly file: string) {}

  get(): T {
    if (!this.#built) {
      this.#value = this.build({ file: this.file, findings: this.findings });
      this.#built = true;
    }
    return this.#value as T;
  }
}

/**
 * `parseEnvoyConfigDump` from a source of the dump's UTF-8 bytes, with each cluster, endpoint assignment
 * and route configuration built the first time the engine asks for it, and a listener's filter chains
 * when first read (its head at once: the engine looks through every listener for the one bound to a
 * port). A trace needs a handful of the thousands of clusters a large mesh pushes to every sidecar; an
 * entry keeps only where its bytes are and reads them from the source when built, so the dump is not
 * held in memory. Checked now: the file's structure, the sections, each entry's shape and name, every
 * listener's head, with the errors an eager parse gives. Checked when an entry is built: its JSON and
 * what it holds. `findings` builds every entry and lists them in document order.
 */
export function indexEnvoyConfigDump(source: ByteSource, file: string): EnvoyConfig {
  const root = scanJson(source, INDEX_DEPTH, INDEX_MEMBERS) ?? (parseJsonText(textAt(source, 0, source.size), file, DUMP_EXPECTED) as never);
  const bytes = readAhead(source);
  const at = (node: JsonNode): unknown => (node.type === STRING ? node.value : valueAt(bytes, node.start, node.end, file));
  const ctx: Ctx = { file, findings: [] };
  if (root.type !== OBJECT) obj(ctx, at(root), '', 'an object with "configs"');
  const configsNode = member(root, 'configs');
  if (configsNode?.type !== ARRAY) need(configsNode && at(configsNode), isArray, file, '/configs', 'an array of config dumps');

  // Findings in document order: lists raised while indexing, and entries (whose findings exist once built).
  const parts: (Finding[] | Entry<unknown>)[] = [];
  const clusters = new DeferredMap<Cluster>();
  const routeConfigs = new DeferredMap<RouteConfig>();
  const endpoints = new DeferredMap<Endpoint[]>();
  const assignments = new Map<string, Entry<Endpoint[]>[]>();
  const cfg: EnvoyConfig = {
    file,
    listeners: [],
    routeConfigs,
    clusters,
    endpoints,
    sections: { listeners: false, clusters: false, routes: false, endpoints: false },
    get findings(): Finding[] {
      return parts.flatMap((p) => (Array.isArray(p) ? p : (p.get(), p.findings)));
    },
  };

  /**
   * Each object of `dump[key]` (an array, or absent) with its pointer. Pointers are built only for
   * an error or a build: a large dump has tens of thousands of entries.
   */
  const each = (dump: JsonNode, key: string, pointer: string, fn: (entry: JsonNode, p: () => string) => void): void => {
    const list = member(dump, key);
    if (list === undefined) return;
    if (list.type !== ARRAY) wrong(ctx, ptr(pointer, key), 'an array', at(list));
    list.values!.forEach((e, i) => {
      const p = (): string => ptr(pointer, key, i);
      if (e.type !== OBJECT) obj(ctx, at(e), p());
      fn(e, p);
    });
  };
  /** `entry[key]`, which must be an object. */
  const inner = (entry: JsonNode, key: string, p: () => string, what: string): JsonNode => {
    const node = member(entry, key);
    if (node?.type !== OBJECT) obj(ctx, node && at(node), ptr(p(), key), what);
    return node!;
  };
  /** `node[key]` when present, which must be a string. */
  const name = (node: JsonNode, key: string, p: () => string, fallback?: string): string => {
    const named = member(node, key);
    if (named === undefined && fallback !== undefined) return fallback;
    return named?.type === STRING ? (at(named) as string) : wrong(ctx, ptr(p(), key), 'a string', named && at(named));
  };
  /** A build of `entry[key]` from its span alone, once. */
  const defer = <T>(node: JsonNode, key: string, p: () => string, build: (ctx: Ctx, v: unknown, pointer: string) => T): Entry<T> => {
    const { start, end } = node;
    const entry = new Entry((c) => build(c, valueAt(bytes, start, end, file), ptr(p(), key)), file);
    parts.push(entry as Entry<unknown>);
    return entry;
  };

  /**
   * A listener's head (address, name, flags, listener filters) now, for the engine to pick listeners
   * by; its filter chains from the span of its entry, when first read.
   */
  const addListener = (entry: JsonNode, v: unknown, pointer: string, pick: (entry: Record<string, unknown>) => unknown): void => {
    const headCtx: Ctx = { file, findings: [] };
    const l = obj(headCtx, v, pointer, 'a listener object');
    const listener = listenerHead(headCtx, l, pointer);
    parts.push(headCtx.findings);
    const { start, end } = entry;
    const chains = new Entry((c) => listenerChains(c, pick(valueAt(bytes, start, end, file) as Record<string, unknown>) as Record<string, unknown>, pointer), file);
    parts.push(chains as Entry<unknown>);
    const keys: (keyof ListenerChains)[] = ['filterChains'];
    if (l.default_filter_chain !== undefined) keys.push('defaultFilterChain');
    if (l.filter_chain_matcher !== undefined) keys.push('filterChainMatcher');
    for (const key of keys) Object.defineProperty(listener, key, { enumerable: true, configurable: true, get: () => chains.get()[key] });
    cfg.listeners.push(listener as Listener);
  };

  const INDEXED: Record<string, (dump: JsonNode, pointer: string) => void> = {
    ListenersConfigDump(dump, pointer) {
      cfg.sections!.listeners = true;
      each(dump, 'static_listeners', pointer, (e, p) => {
        addListener(e, (at(e) as Record<string, unknown>).listener, ptr(p(), 'listener'), (x) => x.listener);
      });
      each(dump, 'dynamic_listeners', pointer, (e, p) => {
        const entry = at(e) as Record<string, unknown>;
        const active = optObj(ctx, entry, 'active_state', p());
        if (active) addListener(e, active.listener, ptr(p(), 'active_state', 'listener'), (x) => (x.active_state as Record<string, unknown>).listener);
        else parts.push(reported(file, p(), `listener ${optStr(ctx, entry, 'name', p()) ?? '?'} has no active_state (warming, draining or rejected); it accepts nothing`));
      });
    },
    ClustersConfigDump(dump, pointer) {
      cfg.sections!.clusters = true;
      for (const key of ['static_clusters', 'dynamic_active_clusters']) {
        each(dump, key, pointer, (e, p) => {
          const node = inner(e, 'cluster', p, 'a cluster object');
          const entry = defer(node, 'cluster', p, parseCluster);
          clusters.defer(name(node, 'name', () => ptr(p(), 'cluster')), () => entry.get());
        });
      }
      const warming = member(dump, 'dynamic_warming_clusters');
      if (warming !== undefined && warming.type !== ARRAY) wrong(ctx, ptr(pointer, 'dynamic_warming_clusters'), 'an array', at(warming));
      if (warming?.values!.length) parts.push(reported(file, ptr(pointer, 'dynamic_warming_clusters'), 'warming clusters are not used until they become active'));
    },
    EndpointsConfigDump(dump, pointer) {
      cfg.sections!.endpoints = true;
      for (const key of ['static_endpoint_configs', 'dynamic_endpoint_configs']) {
        each(dump, key, pointer, (e, p) => {
          const node = inner(e, 'endpoint_config', p, 'a ClusterLoadAssignment object');
          const cluster = name(node, 'cluster_name', () => ptr(p(), 'endpoint_config'), '');
          const entry = defer(node, 'endpoint_config', p, (c, v, lp) => parseLoadAssignment(c, v, lp).endpoints);
          const list = assignments.get(cluster);
          if (list) list.push(entry);
          else {
            const entries = [entry];
            assignments.set(cluster, entries);
            endpoints.defer(cluster, () => entries.flatMap((x) => x.get()));
          }
        });
      }
    },
    RoutesConfigDump(dump, pointer) {
      cfg.sections!.routes = true;
      for (const key of ['static_route_configs', 'dynamic_route_configs']) {
        each(dump, key, pointer, (e, p) => {
          const node = inner(e, 'route_config', p, 'a route_config object');
          const entry = defer(node, 'route_config', p, parseRouteConfig);
          routeConfigs.defer(name(node, 'name', () => ptr(p(), 'route_config'), ''), () => entry.get());
        });
      }
    },
  };

  configsNode!.values!.forEach((c, i) => {
    const pointer = ptr('/configs', i);
    if (c.type !== OBJECT) obj(ctx, at(c), pointer, 'a config dump object');
    const type = name(c, '@type', () => pointer).replace(/^.*\./, '');
    if (Object.hasOwn(INDEXED, type)) return INDEXED[type](c, pointer);
    const section = sectionOf(type);
    const sectionCtx: Ctx = { file, findings: [] };
    parts.push(sectionCtx.findings);
    if (section) section(sectionCtx, at(c) as Record<string, unknown>, pointer, cfg);
    else unsupported(sectionCtx, pointer, `config dump section ${type} is not read`);
  });
  return cfg;
}

/** The last member named `key` (JSON.parse keeps the last of repeated keys). */
function member(node: JsonNode, key: string): JsonNode | undefined {
  const i = node.keys!.lastIndexOf(key);
  return i < 0 ? undefined : node.values![i];
}

/**
 * The JSON at bytes `[start, end)`. The scan followed only its strings and brackets, so this is where an
 * error inside it is found; JSON.parse of the whole file then names the first one in it, as an eager
 * parse would.
 */
function valueAt(source: ByteSource, start: number, end: number, file: string): unknown {
  const text = textAt(source, start, end);
  try {
    return JSON.parse(text);
  } catch (err) {
    parseJsonText(textAt(source, 0, source.size), file, DUMP_EXPECTED);
    throw new InputError(file, {}, `cannot parse the JSON at bytes ${start}-${end} (${(err as Error).message})`, 'the file may be truncated or not the output of the command named in the README (Snapshots)');
  }
}

function textAt(source: ByteSource, start: number, end: number): string {
  return utf8(source.read(start, end), 0, end - start);
}

/**
 * `source` behind a cache of one block, for the reads after the scan: they come in document order (each
 * listener now, each entry for `findings`), so a run of them costs one read of the source per block. A
 * read of a block or more passes through and is not kept: the whole file, read to name an error, does
 * not stay in memory.
 */
function readAhead(source: ByteSource): ByteSource {
  let buffer: Uint8Array | undefined;
  let block: Uint8Array | undefined;
  let from = 0;
  return {
    size: source.size,
    read(start, end) {
      if (block === undefined || start < from || end > from + block.length) {
        if (end - start >= BLOCK) {
          block = undefined;
          return source.read(start, end);
        }
        buffer ??= new Uint8Array(Math.min(BLOCK, source.size));
        from = start;
        block = source.read(start, Math.min(source.size, start + BLOCK), buffer);
      }
      return block.subarray(start - from, end - from);
    },
  };
}

function reported(file: string, pointer: string, message: string): Finding[] {
  const ctx: Ctx = { file, findings: [] };
  unsupported(ctx, pointer, message);
  return ctx.findings;
}
