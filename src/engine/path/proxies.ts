import type { Evidence, Hbone, LegProtocol, NetnsData, Packet } from '../../model/index.ts';
import { endpoint } from '../../model/index.ts';
import { envoyDecide, type EnvoyNext } from '../envoy/decide.ts';
import { ztunnelInbound, ztunnelOutbound, type ZNext, type ZtunnelLogic } from '../ztunnel/index.ts';
import type { Acceptor, Process } from './process.ts';
import type { AppRequest, Walk } from './kernel.ts';

/** What a proxy does with a connection it accepted: open the next one, or refuse. */
export type ProxyOutcome =
  | { kind: 'connect'; dst: string; dport: number; src?: string; hbone?: Hbone; protocol: LegProtocol; process: Process; note?: string }
  | { kind: 'end'; verdict: 'dropped' | 'unknown'; reason: string };

export interface Accepted {
  netns: string;
  acceptor: Acceptor;
  pkt: Packet;
  originalDst: { ip: string; port: number };
  /** The leg that brought the connection: its protocol and, for HBONE, the CONNECT. */
  via: { protocol: LegProtocol; hbone?: Hbone };
}

const IN_POD_ZTUNNEL_MARK = 0x539;

/** Runs the proxy that accepted `a` and records its decision as one hop. */
export function proxyDecision(w: Walk, a: Accepted): ProxyOutcome {
  const component = a.acceptor.process.component;
  if (component === 'ztunnel') return ztunnel(w, a);
  return envoy(w, a);
}

function envoy(w: Walk, a: Accepted): ProxyOutcome {
  const ns = w.world.netns(a.netns) as NetnsData;
  const node = w.world.nodeOf(a.netns);
  const component = a.acceptor.process.component;
  const cfg = ns.envoy;
  if (!cfg) {
    const dst = a.via.hbone ? splitAuthority(a.via.hbone.authority) : a.originalDst;
    w.rec.hop({
      component, netns: a.netns, node, where: 'envoy (config not captured)', action: `assumed: connect ${endpoint(dst.ip, dst.port)}`, before: a.pkt,
      evidence: [{ file: `${ns.dir}/envoy-config-dump.json`, missing: true }], status: 'inferred', note: 'without the config dump the proxy is assumed to pass the connection to its original destination',
    });
    return { kind: 'connect', dst: dst.ip, dport: dst.port, protocol: 'tcp', process: proxyProcess(a) };
  }
  const res = envoyDecide(cfg, {
    listenerPort: a.acceptor.socket.port,
    listenerIp: a.pkt.dst,
    originalDst: a.via.hbone ? { ip: a.pkt.dst, port: a.pkt.dport } : a.originalDst,
    connectAuthority: a.via.hbone?.authority,
    srcIp: a.pkt.src,
    transportProtocol: a.via.protocol === 'tcp' ? 'raw_buffer' : 'tls',
    applicationProtocols: alpn(w.request, a.via.protocol),
    host: w.request.host,
    path: w.request.http ? '/' : undefined,
    pick: (id: string, labels: string[]) => w.choices.pick(`${a.netns}:${id}`, labels),
  });
  const evidence: Evidence[] = res.steps.map((s) => s.evidence);
  const where = res.steps.map((s) => s.summary).join(' → ');
  const next = res.next;
  const action = describeEnvoyNext(next);
  w.rec.hop({ component, netns: a.netns, node, where: `envoy ${where}`, action, before: a.pkt, evidence });
  return envoyOutcome(next, a);
}

/**
 * What Envoy's listener filters see: http_inspector's ALPN for plaintext HTTP, the ALPN Istio's
 * client sidecar offers on mTLS (HTTP or opaque), nothing for a terminated HBONE stream.
 */
function alpn(req: AppRequest, via: LegProtocol): string[] | undefined {
  if (via === 'tcp') return req.http ? ['http/1.1'] : undefined;
  if (via === 'mtls') return req.http ? ['istio-http/1.1'] : ['istio-peer-exchange', 'istio'];
  return undefined;
}

function envoyOutcome(next: EnvoyNext, a: Accepted): ProxyOutcome {
  const process = proxyProcess(a);
  switch (next.kind) {
    case 'upstream': return { kind: 'connect', dst: next.ip, dport: next.port, protocol: next.tls ? 'mtls' : 'tcp', process };
    case 'hbone': return { kind: 'connect', dst: next.ip, dport: next.port, hbone: { authority: next.authority, port: next.port }, protocol: 'hbone', process };
    case 'passthrough': return { kind: 'connect', dst: next.ip, dport: next.port, protocol: 'tcp', process };
    case 'local-app': return { kind: 'connect', dst: next.ip, dport: next.port, src: next.srcIp, protocol: 'tcp', process };
    case 'direct-response': return { kind: 'end', verdict: 'dropped', reason: `envoy answers the request itself (${next.reason})` };
    case 'unresolved': return { kind: 'end', verdict: 'unknown', reason: `envoy's choice cannot be followed: ${next.reason}` };
    case 'blackhole': return { kind: 'end', verdict: 'dropped', reason: `envoy sends the connection to ${next.cluster}, which drops it` };
    case 'no-match': return { kind: 'end', verdict: 'dropped', reason: `envoy closes the connection: ${next.reason}` };
  }
}

function describeEnvoyNext(n: EnvoyNext): string {
  switch (n.kind) {
    case 'upstream': return `connect ${endpoint(n.ip, n.port)}${n.tls ? ' (mTLS)' : ''}`;
    case 'hbone': return `HBONE CONNECT ${n.authority} via ${endpoint(n.ip, n.port)}`;
    case 'passthrough': return `passthrough to ${endpoint(n.ip, n.port)}`;
    case 'local-app': return `deliver to ${endpoint(n.ip, n.port)}`;
    case 'blackhole': return `blackhole (${n.cluster})`;
    case 'no-match': return `close: ${n.reason}`;
    case 'direct-response': return `direct response${n.status ? ` ${n.status}` : ''}`;
    case 'unresolved': return `unresolved: ${n.reason}`;
  }
}

function ztunnel(w: Walk, a: Accepted): ProxyOutcome {
  const node = w.world.nodeOf(a.netns);
  const zpod = node ? w.world.ztunnelPodOn(node) : undefined;
  const zns = zpod ? w.world.netns(w.world.podNetnsId(zpod)) : undefined;
  const state = zns?.ztunnel;
  const inPod = !!zpod && w.world.podNetnsId(zpod) !== a.netns;
  const process: Process = inPod
    ? { ...a.acceptor.process, mark: IN_POD_ZTUNNEL_MARK, assumed: 'ztunnel marks the sockets it opens inside a pod 0x539 (Istio in-pod redirection)' }
    : { ...a.acceptor.process, transparent: true };
  const port = a.acceptor.socket.port;
  const direction = port === 15001 ? 'outbound' : port === 15008 ? 'inbound HBONE' : 'inbound plaintext';
  if (!state) {
    const missingFile = zpod ? `${zns?.dir ?? `pods/${zpod.namespace}/${zpod.name}`}/ztunnel-config-dump.json` : `pods/istio-system/<ztunnel on ${node}>/ztunnel-config-dump.json`;
    const dst = a.via.hbone ? splitAuthority(a.via.hbone.authority) : a.originalDst;
    w.rec.hop({
      component: 'ztunnel', netns: a.netns, node, where: `ztunnel ${direction} (config not captured)`, action: `assumed: connect ${endpoint(dst.ip, dst.port)}`,
      before: a.pkt, evidence: [{ file: missingFile, missing: true }], status: 'inferred',
    });
    return { kind: 'connect', dst: dst.ip, dport: dst.port, protocol: 'tcp', process, src: a.pkt.src };
  }
  const pick = (id: string, labels: string[]) => w.choices.pick(`${zpod?.name}:${id}`, labels);
  const opts = { logic: logicForVersion(w.world.snapshot.meta.istio?.version) };
  const res = port === 15001
    ? ztunnelOutbound(state, { srcIp: a.pkt.src, dst: a.originalDst, pick }, opts)
    : ztunnelInbound(state, { port, authority: a.via.hbone?.authority, originalDst: a.originalDst, srcIp: a.pkt.src }, opts);
  const next = res.next;
  w.rec.hop({
    component: 'ztunnel', netns: a.netns, node, where: `ztunnel ${direction}: ${res.steps.map((s) => s.summary).join(' → ')}`,
    action: describeZNext(next), before: a.pkt, evidence: res.steps.map((s) => s.evidence), note: process.assumed,
  });
  // ztunnel keeps the client's address as the source of the connections it opens (original source / in-pod).
  const src = port === 15001 && inPod ? undefined : a.pkt.src;
  switch (next.kind) {
    case 'hbone': return { kind: 'connect', dst: next.ip, dport: next.port, hbone: { authority: next.authority, port: next.port }, protocol: 'hbone', process, src };
    case 'tcp': return { kind: 'connect', dst: next.ip, dport: next.port, protocol: 'tcp', process, src };
    case 'passthrough': return { kind: 'connect', dst: next.ip, dport: next.port, protocol: 'tcp', process, src };
    case 'deny': return { kind: 'end', verdict: 'dropped', reason: `ztunnel refuses the connection: ${next.reason}` };
  }
}

function describeZNext(n: ZNext): string {
  switch (n.kind) {
    case 'hbone': return `HBONE CONNECT ${n.authority} via ${endpoint(n.ip, n.port)}${n.via === 'waypoint' ? ' (waypoint)' : ''}`;
    case 'tcp': return `connect ${endpoint(n.ip, n.port)} (plaintext)`;
    case 'passthrough': return `passthrough to ${endpoint(n.ip, n.port)}`;
    case 'deny': return `deny: ${n.reason}`;
  }
}

/** The dump schema implies ztunnel's release, but a known version in meta.json is more precise. */
function logicForVersion(version: string | undefined): ZtunnelLogic | undefined {
  const minor = /^1\.(\d+)/.exec(version ?? '')?.[1];
  if (minor === undefined) return undefined;
  const m = Number(minor);
  return m <= 18 ? '1.18' : m <= 21 ? '1.19-1.21' : m === 22 ? '1.22' : '1.23+';
}

function proxyProcess(a: Accepted): Process {
  return { ...a.acceptor.process, mark: a.acceptor.process.mark };
}

function splitAuthority(authority: string): { ip: string; port: number } {
  const i = authority.lastIndexOf(':');
  return { ip: authority.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(authority.slice(i + 1)) };
}
