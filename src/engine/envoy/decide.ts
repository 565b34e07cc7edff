import type { Evidence } from '../../model/evidence.ts';
import type { ChainTerminal, Cluster, Endpoint, EnvoyConfig, Listener, RouteConfig } from '../../model/envoy.ts';
import { parseHostPort, passesMetadata, transportFor, usableEndpoints } from './cluster.ts';
import type { ConnFacts } from './facts.ts';
import { clusterLabel, listenerLabel } from './labels.ts';
import { acceptingListener, internalListener, originalDstListener, selectFilterChain } from './listener.ts';
import { type HttpRequest, selectRoute, selectVirtualHost, splitWeighted } from './route.ts';

export interface EnvoyConn {
  listenerPort: number;
  /** The local address the kernel delivered the connection to (after any REDIRECT). */
  listenerIp?: string;
  /** The destination the client asked for, before redirection. */
  originalDst: { ip: string; port: number };
  srcIp: string;
  srcPort?: number;
  transportProtocol?: 'tls' | 'raw_buffer';
  applicationProtocols?: string[];
  serverName?: string;
  host?: string;
  path?: string;
  /** The connection carries an HTTP CONNECT (HBONE) for this `ip:port`. */
  connectAuthority?: string;
  /** ALPN of the stream inside a terminated CONNECT, as the internal listener's http_inspector sees it. */
  payloadApplicationProtocols?: string[];
  /** Start in this internal listener instead of accepting on a port. */
  internalListener?: string;
  /** Which branch to take where Envoy load-balances (index into `labels`, heaviest/first-ranked first); the first by default. */
  pick?: (id: string, labels: string[]) => number;
}

export interface EnvoyStep {
  kind: 'listener' | 'filter-chain' | 'route' | 'cluster' | 'endpoint' | 'internal-listener';
  summary: string;
  evidence: Evidence;
  /** The config that decided is not in the dump; Istio's convention filled the gap. */
  inferred?: true;
}

export type EnvoyNext =
  | { kind: 'upstream'; ip: string; port: number; tls: boolean; cluster: string }
  | { kind: 'hbone'; ip: string; port: number; authority: string; cluster: string }
  | { kind: 'passthrough'; ip: string; port: number; cluster: string }
  | { kind: 'local-app'; ip: string; port: number; cluster: string; /** `upstream_bind_config` source (127.0.0.6). */ srcIp?: string }
  | { kind: 'blackhole'; cluster: string }
  | { kind: 'direct-response'; status?: number; reason: string }
  | { kind: 'unresolved'; reason: string; cluster?: string }
  | { kind: 'no-match'; reason: string };

export interface EnvoyDecision {
  steps: EnvoyStep[];
  next: EnvoyNext;
  alternatives: EnvoyNext[];
}

/** One connection inside one Envoy: which listener holds it and what its listener filters restored. */
interface Flow {
  listener: Listener;
  facts: ConnFacts;
  request: HttpRequest;
  /** ORIGINAL_DST override from filter state (`tunnel.address`, via set_dst_address). */
  dstOverride?: string;
  /** Endpoint metadata handed to this internal connection. */
  meta?: Endpoint;
  depth: number;
}

/** What the filter that chose the cluster adds to the upstream connection. */
interface Via {
  tunnelingHostname?: string;
  /** A terminated CONNECT whose authority the next internal listener restores as its local address. */
  authority?: string;
}

const MAX_INTERNAL_DEPTH = 8;

export function envoyDecide(cfg: EnvoyConfig, conn: EnvoyConn): EnvoyDecision {
  const walk = new Walk(cfg, conn);
  const next = walk.start();
  return { steps: walk.steps, next, alternatives: walk.alternatives };
}

class Walk {
  readonly steps: EnvoyStep[] = [];
  readonly alternatives: EnvoyNext[] = [];

  constructor(
    private readonly cfg: EnvoyConfig,
    private readonly conn: EnvoyConn,
  ) {}

  start(): EnvoyNext {
    const c = this.conn;
    const request: HttpRequest = { host: c.connectAuthority ?? c.host ?? `${c.originalDst.ip}:${c.originalDst.port}`, path: c.path ?? '/', connect: c.connectAuthority !== undefined };
    const facts: ConnFacts = {
      srcIp: c.srcIp,
      srcPort: c.srcPort,
      transportProtocol: c.transportProtocol ?? 'raw_buffer',
      applicationProtocols: c.applicationProtocols ?? [],
      serverName: c.serverName,
    };
    if (c.internalListener !== undefined) {
      const l = internalListener(this.cfg, c.internalListener);
      if (!l) return { kind: 'unresolved', reason: `internal listener ${c.internalListener} is not in ${this.cfg.file}` };
      this.step('internal-listener', `enters internal listener ${l.name}${listenerLabel(l.name)}`, l.evidence);
      return this.runListener({ listener: l, facts: { ...facts, dst: c.originalDst }, request, depth: 0 });
    }
    const accepting = acceptingListener(this.cfg, c.listenerPort, c.listenerIp);
    if (!accepting) return { kind: 'no-match', reason: `no listener of ${this.cfg.file} is bound to port ${c.listenerPort}` };
    this.step('listener', `accepted by listener ${accepting.name}${listenerLabel(accepting.name)}`, accepting.evidence);
    const restores = accepting.useOriginalDst || accepting.originalDstFilter === true;
    const local = restores ? c.originalDst : { ip: c.listenerIp ?? c.originalDst.ip, port: c.listenerPort };
    let listener = accepting;
    if (accepting.useOriginalDst) {
      const target = originalDstListener(this.cfg, c.originalDst);
      if (target && target !== accepting) {
        listener = target;
        this.step('listener', `use_original_dst hands ${c.originalDst.ip}:${c.originalDst.port} to listener ${target.name}${listenerLabel(target.name)}`, target.evidence);
      }
    }
    return this.runListener({ listener, facts: { ...facts, dst: local }, request, depth: 0 });
  }

  private step(kind: EnvoyStep['kind'], summary: string, evidence: Evidence, inferred = false): void {
    this.steps.push(inferred ? { kind, summary, evidence, inferred: true } : { kind, summary, evidence });
  }

  private missing(text: string): Evidence {
    return { file: this.cfg.file, text };
  }

  private runListener(flow: Flow): EnvoyNext {
    const choice = selectFilterChain(flow.listener, flow.facts);
    if (!choice.chain) return { kind: 'no-match', reason: choice.reason };
    const chain = choice.chain;
    this.step('filter-chain', `${choice.via === 'default_filter_chain' ? 'default_filter_chain' : `filter chain ${chain.name ?? '(unnamed)'}`} of ${flow.listener.name} (by ${choice.via})`, chain.evidence);
    if (!chain.terminal) return { kind: 'no-match', reason: `filter chain ${chain.name ?? '(unnamed)'} of ${flow.listener.name} has no network filter` };
    const shared = chain.sharesLocalAddress && flow.facts.dst ? `${flow.facts.dst.ip}:${flow.facts.dst.port}` : undefined;
    return this.runTerminal(flow, chain.terminal, shared);
  }

  private runTerminal(flow: Flow, t: ChainTerminal, sharedLocal?: string): EnvoyNext {
    if (t.kind === 'tcp_proxy') {
      const via: Via = { tunnelingHostname: t.tunnelingHostname, ...(sharedLocal ? { authority: sharedLocal } : {}) };
      if (t.cluster !== undefined) return this.runCluster(flow, t.cluster, via);
      return this.runWeighted(flow, t.weightedClusters ?? [], via, `tcp_proxy of ${flow.listener.name} names no cluster`);
    }
    if (t.kind === 'http') return this.runHttp(flow, t);
    return { kind: 'unresolved', reason: `network filter ${t.name} ends the chain; its forwarding is not modelled` };
  }

  private runWeighted(flow: Flow, ws: { name: string; weight: number }[], via: Via, none: string): EnvoyNext {
    const split = splitWeighted(ws);
    if (!split) return { kind: 'no-match', reason: none };
    const ranked = [split.main, ...split.others];
    const chosen = this.choose(`weighted:${ranked.map((w) => w.name).join(',')}`, ranked.map((w) => `${w.name} (weight ${w.weight})`));
    for (const other of ranked.filter((_, i) => i !== chosen)) this.alternatives.push(this.quiet(flow, other.name, via));
    return this.runCluster(flow, ranked[chosen].name, via);
  }

  private choose(id: string, labels: string[]): number {
    const i = labels.length > 1 && this.conn.pick ? this.conn.pick(id, labels) : 0;
    return i >= 0 && i < labels.length ? i : 0;
  }

  /** Resolves an alternative cluster without adding its steps to this walk. */
  private quiet(flow: Flow, cluster: string, via: Via): EnvoyNext {
    return new Walk(this.cfg, this.conn).runCluster(flow, cluster, via);
  }

  private runHttp(flow: Flow, t: Extract<ChainTerminal, { kind: 'http' }>): EnvoyNext {
    const rc: RouteConfig | undefined = t.routeConfig ?? (t.rds !== undefined ? this.cfg.routeConfigs.get(t.rds) : undefined);
    if (!rc) return { kind: 'unresolved', reason: `route config ${t.rds ?? '(none)'} is not in ${this.cfg.file}` };
    const vh = selectVirtualHost(rc, flow.request.host);
    if (!vh) return { kind: 'no-match', reason: `no virtual host of route config ${rc.name} matches host ${flow.request.host}: Envoy answers 404` };
    const route = selectRoute(vh, flow.request);
    const what = flow.request.connect ? `CONNECT ${flow.request.host}` : `${flow.request.host}${flow.request.path}`;
    if (!route) return { kind: 'no-match', reason: `no route of virtual host ${vh.name} (route config ${rc.name}) matches ${what}: Envoy answers 404` };
    this.step('route', `${what} → route config ${rc.name || '(inline)'}, virtual host ${vh.name}, route ${route.name ?? '(unnamed)'}`, route.evidence);
    const via: Via = route.match.connect && t.authorityToLocalAddress ? { authority: flow.request.host } : {};
    const inner: Flow = route.match.connect ? { ...flow, request: { host: this.conn.host ?? flow.request.host, path: this.conn.path ?? '/', connect: false } } : flow;
    if (route.cluster !== undefined) return this.runCluster(inner, route.cluster, via);
    if (route.weightedClusters) return this.runWeighted(inner, route.weightedClusters, via, `route ${route.name ?? ''} has no weighted clusters`);
    if (route.clusterHeader !== undefined) return { kind: 'unresolved', reason: `route picks its cluster from request header ${route.clusterHeader}` };
    return { kind: 'direct-response', status: route.status, reason: `route ${route.name ?? '(unnamed)'} answers with ${route.other ?? 'a local response'}` };
  }

  private runCluster(flow: Flow, name: string, via: Via): EnvoyNext {
    const cluster = this.cfg.clusters.get(name);
    if (!cluster) return this.inferCluster(flow, name, via);
    this.step('cluster', `cluster ${clusterLabel(name)} (${cluster.type === 'OTHER' ? cluster.typeName : cluster.type}, ${cluster.transport})`, cluster.evidence);
    switch (cluster.type) {
      case 'ORIGINAL_DST':
        return this.originalDst(flow, cluster, via);
      case 'EDS':
        return this.fromEndpoints(flow, cluster, this.edsEndpoints(cluster), via);
      case 'OTHER':
        return { kind: 'unresolved', reason: `cluster ${name} has type ${cluster.typeName}; its hosts are not modelled`, cluster: name };
      default:
        return this.fromEndpoints(flow, cluster, cluster.inlineEndpoints ?? [], via);
    }
  }

  private edsEndpoints(c: Cluster): Endpoint[] | undefined {
    const eps = this.cfg.endpoints.get(c.edsServiceName ?? c.name);
    if (eps) return eps;
    return this.cfg.sections?.endpoints === false ? undefined : [];
  }

  /** A cluster absent from the dump: Istio's conventions fill the gap, marked inferred. */
  private inferCluster(flow: Flow, name: string, via: Via): EnvoyNext {
    const ev = this.missing(`cluster ${name} is not in the dump`);
    if (internalListener(this.cfg, name)) {
      this.step('cluster', `cluster ${name} (not in the dump; Istio builds it as a STATIC cluster whose one endpoint is the internal listener of that name)`, ev, true);
      return this.enterInternal(flow, name, undefined, undefined, via);
    }
    const eds = this.cfg.endpoints.get(name);
    if (eds) {
      this.step('cluster', `cluster ${clusterLabel(name)} (not in the dump; its EDS assignment is)`, ev, true);
      return this.fromEndpoints(flow, undefined, eds, via, name);
    }
    const dst = flow.facts.dst;
    if (name === 'BlackHoleCluster') {
      this.step('cluster', `cluster ${clusterLabel(name)} (not in the dump; Istio's is STATIC without endpoints)`, ev, true);
      return { kind: 'blackhole', cluster: name };
    }
    if (dst && (name === 'PassthroughCluster' || name.startsWith('InboundPassthroughCluster'))) {
      this.step('cluster', `cluster ${clusterLabel(name)} (not in the dump; Istio's is ORIGINAL_DST)`, ev, true);
      return { kind: 'passthrough', ip: dst.ip, port: dst.port, cluster: name };
    }
    const inbound = /^inbound\|(\d+)\|\|/.exec(name);
    if (dst && inbound) {
      this.step('cluster', `cluster ${clusterLabel(name)} (not in the dump; Istio's delivers to the app on port ${inbound[1]})`, ev, true);
      return { kind: 'local-app', ip: dst.ip, port: Number(inbound[1]), cluster: name };
    }
    const why = this.cfg.sections?.clusters ? 'is not in' : 'cannot be checked: no ClustersConfigDump in';
    return { kind: 'unresolved', reason: `cluster ${name} ${why} ${this.cfg.file}`, cluster: name };
  }

  /** ORIGINAL_DST: filter-state override, then the metadata_key override, then the local address; the port override wins. */
  private originalDst(flow: Flow, c: Cluster, via: Via): EnvoyNext {
    const key = c.originalDstLb?.metadataKey;
    const fromMeta = key?.key === 'envoy.filters.listener.original_dst' && key.path.join('.') === 'waypoint' ? flow.meta?.originalDstWaypoint : undefined;
    const override = flow.dstOverride ?? fromMeta;
    const base = override !== undefined ? parseHostPort(override) : flow.facts.dst;
    if (!base) return { kind: 'unresolved', reason: `ORIGINAL_DST cluster ${c.name}: the connection has no restored destination address`, cluster: c.name };
    const target = { ip: base.ip, port: c.originalDstLb?.upstreamPortOverride ?? base.port };
    if (via.tunnelingHostname !== undefined) return this.hbone(flow, c.name, target, via.tunnelingHostname);
    if (c.name.startsWith('inbound|')) return localApp(target, c);
    if (c.transport === 'tls') return { kind: 'upstream', ...target, tls: true, cluster: c.name };
    return { kind: 'passthrough', ...target, cluster: c.name };
  }

  private hbone(flow: Flow, cluster: string, target: { ip: string; port: number }, hostname: string): EnvoyNext {
    const authority = this.expand(flow, hostname);
    if (authority === undefined) return { kind: 'unresolved', reason: `tunneling_config hostname ${hostname} cannot be evaluated`, cluster };
    return { kind: 'hbone', ...target, authority, cluster };
  }

  /** The command operators Istio puts in `tunneling_config.hostname`. */
  private expand(flow: Flow, hostname: string): string | undefined {
    if (hostname === '%DOWNSTREAM_LOCAL_ADDRESS%') return flow.facts.dst ? `${flow.facts.dst.ip}:${flow.facts.dst.port}` : undefined;
    if (/^%DYNAMIC_METADATA\(\[?"?tunnel"?(:|,\s*)"?destination"?\]?\)%$/.test(hostname)) return flow.meta?.tunnelDestination;
    return hostname.includes('%') ? undefined : hostname;
  }

  private fromEndpoints(flow: Flow, c: Cluster | undefined, eps: Endpoint[] | undefined, via: Via, name = c?.name ?? ''): EnvoyNext {
    if (eps === undefined) return { kind: 'unresolved', reason: `cluster ${name} is EDS and ${this.cfg.file} has no EndpointsConfigDump (capture with ?include_eds)`, cluster: name };
    if (!eps.length) {
      if (c?.type === 'STATIC') return { kind: 'blackhole', cluster: name };
      return { kind: 'no-match', reason: `cluster ${name} has no endpoints: Envoy closes the connection (no healthy upstream)` };
    }
    const usable = usableEndpoints(eps);
    if (!usable.length) return { kind: 'no-match', reason: `cluster ${name} has no healthy endpoint (${eps.length} endpoint(s), none HEALTHY or UNKNOWN)` };
    const chosen = this.choose(`endpoints:${name}`, usable.map((e) => e.evidence.text ?? ''));
    for (const other of usable.filter((_, i) => i !== chosen)) this.alternatives.push(new Walk(this.cfg, this.conn).endpoint(flow, c, other, via, name));
    return this.endpoint(flow, c, usable[chosen], via, name);
  }

  private endpoint(flow: Flow, c: Cluster | undefined, ep: Endpoint, via: Via, name: string): EnvoyNext {
    this.step('endpoint', `${ep.evidence.text ?? 'endpoint'} of ${name}`, ep.evidence);
    if (ep.internal) return this.enterInternal(flow, ep.internal.listener, c, ep, via);
    if (!ep.address) return { kind: 'unresolved', reason: `an endpoint of ${name} has no socket or internal address`, cluster: name };
    const target = ep.address;
    if (via.tunnelingHostname !== undefined) return this.hbone({ ...flow, meta: ep }, name, target, via.tunnelingHostname);
    if (name.startsWith('inbound|')) return localApp(target, c, name);
    const tls = c ? transportFor(c, ep) === 'tls' : false;
    return { kind: 'upstream', ip: target.ip, port: target.port, tls, cluster: name };
  }

  /**
   * An internal connection: its local address is what the internal listener's filters restore —
   * the CONNECT authority, `tunnel.destination` (set_dst_address) or the `original_dst` metadata `local`.
   */
  private enterInternal(flow: Flow, name: string, c: Cluster | undefined, ep: Endpoint | undefined, via: Via): EnvoyNext {
    const l = internalListener(this.cfg, name);
    if (!l) return { kind: 'unresolved', reason: `internal listener ${name} is not in ${this.cfg.file}` };
    if (flow.depth >= MAX_INTERNAL_DEPTH) return { kind: 'no-match', reason: `internal listeners chain more than ${MAX_INTERNAL_DEPTH} deep (loop at ${name})` };
    const meta = ep && (passesMetadata(c, 'tunnel', ep) || passesMetadata(c, 'envoy.filters.listener.original_dst', ep)) ? ep : undefined;
    const restored = restoreLocal(l, via, meta, c);
    const dstText = restored.dst ? `${restored.dst.ip}:${restored.dst.port}` : 'no restored address';
    this.step('internal-listener', `enters internal listener ${l.name}${listenerLabel(l.name)}, local address ${dstText}${restored.from ? ` from ${restored.from}` : ''}`, l.evidence);
    const facts: ConnFacts = { srcIp: flow.facts.srcIp, transportProtocol: 'raw_buffer', applicationProtocols: this.conn.payloadApplicationProtocols ?? this.conn.applicationProtocols ?? [], dst: restored.dst };
    return this.runListener({ listener: l, facts, request: flow.request, meta, dstOverride: restored.dstOverride, depth: flow.depth + 1 });
  }
}

function localApp(target: { ip: string; port: number }, c: Cluster | undefined, name = c?.name ?? ''): EnvoyNext {
  return { kind: 'local-app', ip: target.ip, port: target.port, cluster: name, ...(c?.bindSource ? { srcIp: c.bindSource } : {}) };
}

function restoreLocal(l: Listener, via: Via, ep: Endpoint | undefined, c: Cluster | undefined): { dst?: { ip: string; port: number }; from?: string; dstOverride?: string } {
  const restores = l.originalDstFilter === true || l.setsDstFromTunnel === true;
  if (restores && via.authority !== undefined) return { dst: parseHostPort(via.authority), from: 'the CONNECT authority' };
  if (l.setsDstFromTunnel && ep?.tunnelDestination !== undefined && passesMetadata(c, 'tunnel', ep)) {
    return { dst: parseHostPort(ep.tunnelDestination), from: 'tunnel.destination', dstOverride: ep.tunnelAddress };
  }
  if (l.originalDstFilter && ep?.originalDstLocal !== undefined && passesMetadata(c, 'envoy.filters.listener.original_dst', ep)) {
    return { dst: parseHostPort(ep.originalDstLocal), from: 'original_dst metadata local' };
  }
  return {};
}
