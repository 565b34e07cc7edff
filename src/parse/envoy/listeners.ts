import type { ChainTerminal, FilterChain, FilterChainMatch, Listener } from '../../model/envoy.ts';
import { isObject, ptr } from '../json.ts';
import { parseChainMatcher } from './matcher.ts';
import { address, arr, type Ctx, evidence, hostPort, numList, obj, optBool, optNum, optObj, optStr, str, strList, typedConfig, unsupported } from './read.ts';
import { parseRouteConfig, parseWeighted } from './routes.ts';

const TCP_PROXY = /(^|\.)TcpProxy$/;
const HCM = /(^|\.)HttpConnectionManager$/;

export function parseListener(ctx: Ctx, v: unknown, pointer: string): Listener {
  const l = obj(ctx, v, pointer, 'a listener object');
  return Object.assign(listenerHead(ctx, l, pointer), listenerChains(ctx, l, pointer));
}

/** The filter chains of a listener, and how one is chosen: most of a listener, and only needed once it accepts. */
export type ListenerChains = Pick<Listener, 'filterChains' | 'defaultFilterChain' | 'filterChainMatcher'>;

/** A listener's address, name, flags and listener filters: what decides whether it accepts a connection. */
export function listenerHead(ctx: Ctx, l: Record<string, unknown>, pointer: string): Omit<Listener, keyof ListenerChains> {
  const addr = l.address === undefined ? {} : address(ctx, l.address, ptr(pointer, 'address'));
  const internal = l.internal_listener !== undefined || addr.internal !== undefined;
  const name = optStr(ctx, l, 'name', pointer) ?? (addr.socket ? `${addr.socket.ip}_${addr.socket.port}` : '');
  const filters = arr(ctx, l, 'listener_filters', pointer).map((f, i) => listenerFilter(ctx, f, ptr(pointer, 'listener_filters', i)));
  const listener: Omit<Listener, keyof ListenerChains> = {
    name,
    useOriginalDst: optBool(ctx, l, 'use_original_dst', pointer) ?? false,
    bindToPort: optBool(ctx, l, 'bind_to_port', pointer) ?? true,
    listenerFilters: filters.map((f) => f.name),
    evidence: evidence(ctx, pointer, ''),
  };
  if (addr.socket) listener.address = addr.socket;
  if (internal) listener.internal = true;
  if (filters.some((f) => f.kind === 'original_dst')) listener.originalDstFilter = true;
  if (filters.some((f) => f.kind === 'set_dst')) listener.setsDstFromTunnel = true;
  const dir = optStr(ctx, l, 'traffic_direction', pointer);
  if (dir) listener.trafficDirection = dir;
  listener.evidence.text = listenerText(listener);
  return listener;
}

export function listenerChains(ctx: Ctx, l: Record<string, unknown>, pointer: string): ListenerChains {
  const chains: ListenerChains = { filterChains: arr(ctx, l, 'filter_chains', pointer).map((fc, i) => parseFilterChain(ctx, fc, ptr(pointer, 'filter_chains', i))) };
  if (l.default_filter_chain !== undefined) chains.defaultFilterChain = parseFilterChain(ctx, l.default_filter_chain, ptr(pointer, 'default_filter_chain'));
  if (l.filter_chain_matcher !== undefined) chains.filterChainMatcher = parseChainMatcher(ctx, l.filter_chain_matcher, ptr(pointer, 'filter_chain_matcher'));
  return chains;
}

function listenerText(l: Pick<Listener, 'name' | 'address' | 'useOriginalDst' | 'bindToPort'>): string {
  const where = l.address ? hostPort(l.address) : 'internal';
  const flags = [l.useOriginalDst ? 'use_original_dst' : '', l.bindToPort ? '' : 'bind_to_port=false'].filter(Boolean);
  return `listener ${l.name} ${where}${flags.length ? ' ' + flags.join(' ') : ''}`;
}

function listenerFilter(ctx: Ctx, v: unknown, pointer: string): { name: string; kind?: 'original_dst' | 'set_dst' } {
  const f = obj(ctx, v, pointer, 'a listener filter object');
  const name = optStr(ctx, f, 'name', pointer) ?? '';
  const { type } = typedConfig(ctx, f, pointer);
  if (type.endsWith('original_dst.v3.OriginalDst') || name === 'envoy.filters.listener.original_dst') return { name, kind: 'original_dst' };
  if (type.startsWith('istio.set_internal_dst_address')) return { name, kind: 'set_dst' };
  return { name };
}

export function parseFilterChain(ctx: Ctx, v: unknown, pointer: string): FilterChain {
  const fc = obj(ctx, v, pointer, 'a filter chain object');
  const fcm = optObj(ctx, fc, 'filter_chain_match', pointer);
  const match = fcm ? parseChainMatch(ctx, fcm, ptr(pointer, 'filter_chain_match')) : {};
  const raw = arr(ctx, fc, 'filters', pointer);
  const names = raw.map((f, i) => str(ctx, obj(ctx, f, ptr(pointer, 'filters', i)), 'name', ptr(pointer, 'filters', i)));
  const chain: FilterChain = { match, filters: names, evidence: evidence(ctx, pointer, '') };
  const name = optStr(ctx, fc, 'name', pointer);
  if (name !== undefined) chain.name = name;
  if (raw.length) {
    const last = raw.length - 1;
    chain.terminal = parseTerminal(ctx, raw[last] as Record<string, unknown>, ptr(pointer, 'filters', last));
    chain.filters = names.slice(0, last);
  }
  if (raw.some((f, i) => sharesLocalAddress(ctx, f as Record<string, unknown>, ptr(pointer, 'filters', i)))) chain.sharesLocalAddress = true;
  const ts = optObj(ctx, fc, 'transport_socket', pointer);
  if (ts) chain.transportSocket = optStr(ctx, ts, 'name', ptr(pointer, 'transport_socket')) ?? 'unnamed';
  chain.evidence.text = `filter chain ${chain.name ?? '(unnamed)'}${matchText(match)}${chain.transportSocket ? ' tls' : ''}`;
  return chain;
}

/**
 * A network `set_filter_state` that re-shares `original_dst.local_ip` with the upstream: the next
 * internal listener's original_dst filter restores this connection's local address.
 */
function sharesLocalAddress(ctx: Ctx, f: Record<string, unknown>, pointer: string): boolean {
  const { type, body } = typedConfig(ctx, f, pointer);
  if (!type.endsWith('network.set_filter_state.v3.Config')) return false;
  const entries = Array.isArray(body.on_new_connection) ? body.on_new_connection : [];
  return entries.some((e) => isObject(e) && e.object_key === 'envoy.filters.listener.original_dst.local_ip' && e.shared_with_upstream !== undefined && e.shared_with_upstream !== 'NONE');
}

function parseChainMatch(ctx: Ctx, m: Record<string, unknown>, pointer: string): FilterChainMatch {
  const cidrs = (key: string): string[] | undefined => {
    const list = arr(ctx, m, key, pointer);
    if (!list.length) return undefined;
    return list.map((r, i) => {
      const p = ptr(pointer, key, i);
      const o = obj(ctx, r, p);
      return `${str(ctx, o, 'address_prefix', p)}/${optNum(ctx, o, 'prefix_len', p) ?? 0}`;
    });
  };
  const nonEmpty = (xs: string[]): string[] | undefined => (xs.length ? xs : undefined);
  const ports = numList(ctx, m, 'source_ports', pointer);
  const out: FilterChainMatch = {
    destinationPort: optNum(ctx, m, 'destination_port', pointer),
    prefixRanges: cidrs('prefix_ranges'),
    directSourcePrefixRanges: cidrs('direct_source_prefix_ranges'),
    sourceType: optStr(ctx, m, 'source_type', pointer),
    sourcePrefixRanges: cidrs('source_prefix_ranges'),
    sourcePorts: ports.length ? ports : undefined,
    transportProtocol: optStr(ctx, m, 'transport_protocol', pointer) || undefined,
    applicationProtocols: nonEmpty(strList(ctx, m, 'application_protocols', pointer)),
    serverNames: nonEmpty(strList(ctx, m, 'server_names', pointer)),
  };
  for (const k of Object.keys(out) as (keyof FilterChainMatch)[]) if (out[k] === undefined) delete out[k];
  return out;
}

function matchText(m: FilterChainMatch): string {
  const parts: string[] = [];
  if (m.destinationPort !== undefined) parts.push(`port ${m.destinationPort}`);
  if (m.prefixRanges) parts.push(`dst ${m.prefixRanges.join(',')}`);
  if (m.serverNames) parts.push(`sni ${m.serverNames.join(',')}`);
  if (m.transportProtocol) parts.push(m.transportProtocol);
  if (m.applicationProtocols) parts.push(`alpn ${m.applicationProtocols.join(',')}`);
  if (m.sourceType) parts.push(`source ${m.sourceType}`);
  if (m.sourcePrefixRanges) parts.push(`src ${m.sourcePrefixRanges.join(',')}`);
  if (m.sourcePorts) parts.push(`srcport ${m.sourcePorts.join(',')}`);
  return parts.length ? ` [${parts.join(' ')}]` : '';
}

function parseTerminal(ctx: Ctx, f: Record<string, unknown>, pointer: string): ChainTerminal {
  const name = str(ctx, f, 'name', pointer);
  const { type, body, pointer: bp } = typedConfig(ctx, f, pointer);
  if (TCP_PROXY.test(type)) return parseTcpProxy(ctx, body, bp, pointer);
  if (HCM.test(type)) return parseHcm(ctx, body, bp, pointer);
  unsupported(ctx, pointer, `network filter ${name} (${type || 'untyped'}) ends the chain; its forwarding is not modelled`);
  return { kind: 'other', name, evidence: evidence(ctx, pointer, `network filter ${name}`) };
}

function parseTcpProxy(ctx: Ctx, body: Record<string, unknown>, bp: string, pointer: string): ChainTerminal {
  const t: ChainTerminal = { kind: 'tcp_proxy', evidence: evidence(ctx, pointer, '') };
  t.cluster = optStr(ctx, body, 'cluster', bp);
  const wc = optObj(ctx, body, 'weighted_clusters', bp);
  if (wc) t.weightedClusters = parseWeighted(ctx, wc, ptr(bp, 'weighted_clusters'));
  const tun = optObj(ctx, body, 'tunneling_config', bp);
  if (tun) t.tunnelingHostname = str(ctx, tun, 'hostname', ptr(bp, 'tunneling_config'));
  if (t.cluster === undefined) delete t.cluster;
  const target = t.cluster ?? t.weightedClusters?.map((w) => `${w.name}(${w.weight})`).join(' ') ?? '(none)';
  t.evidence.text = `tcp_proxy → ${target}${t.tunnelingHostname ? ` tunneling_config hostname ${t.tunnelingHostname}` : ''}`;
  return t;
}

function parseHcm(ctx: Ctx, body: Record<string, unknown>, bp: string, pointer: string): ChainTerminal {
  const t: ChainTerminal = { kind: 'http', evidence: evidence(ctx, pointer, '') };
  const rds = optObj(ctx, body, 'rds', bp);
  if (rds) t.rds = str(ctx, rds, 'route_config_name', ptr(bp, 'rds'));
  if (body.route_config !== undefined) t.routeConfig = parseRouteConfig(ctx, body.route_config, ptr(bp, 'route_config'));
  if (body.scoped_routes !== undefined) unsupported(ctx, ptr(bp, 'scoped_routes'), 'scoped_routes are not evaluated');
  const filters = arr(ctx, body, 'http_filters', bp).map((f, i) => obj(ctx, f, ptr(bp, 'http_filters', i)));
  t.httpFilters = filters.map((f, i) => optStr(ctx, f, 'name', ptr(bp, 'http_filters', i)) ?? '');
  if (filters.some((f, i) => copiesAuthority(ctx, f, ptr(bp, 'http_filters', i)))) t.authorityToLocalAddress = true;
  t.evidence.text = `http_connection_manager ${t.rds ? `rds ${t.rds}` : `inline route_config ${t.routeConfig?.name ?? ''}`}`.trimEnd();
  return t;
}

/** Istio's `connect_authority`, or `set_filter_state` writing the :authority into the original_dst local address. */
function copiesAuthority(ctx: Ctx, f: Record<string, unknown>, pointer: string): boolean {
  const { type, body } = typedConfig(ctx, f, pointer);
  if (type === 'io.istio.http.connect_authority.Config') return true;
  if (!type.endsWith('set_filter_state.v3.Config')) return false;
  const entries = Array.isArray(body.on_request_headers) ? body.on_request_headers : [];
  return entries.some((e) => isObject(e) && e.object_key === 'envoy.filters.listener.original_dst.local_ip' && JSON.stringify(e.format_string ?? '').includes('%REQ(:AUTHORITY)%'));
}
