import type { Endpointish, Hbone, K8s, LegProtocol, Packet, Snapshot, Trace, Verdict } from '../../model/index.ts';
import { endpoint } from '../../model/index.ts';
import { detectGeneration } from '../generation.ts';
import { Choices } from './choices.ts';
import { handshake } from './handshake.ts';
import { sendFrom, type AppRequest, type Walk } from './kernel.ts';
import { componentOfProcess, type Process } from './process.ts';
import { proxyDecision } from './proxies.ts';
import { Recorder } from './record.ts';
import { World } from './world.ts';
import { intentFindings } from '../intent/compare.ts';
import type { WaypointTarget } from '../intent/waypoint.ts';

export type TraceTarget =
  | { kind: 'pod'; pod: K8s.Pod; port: number }
  | { kind: 'service'; service: K8s.Service; port: K8s.ServicePort }
  | { kind: 'ip'; ip: string; port: number };

export interface TraceRequest {
  source: { query: string; pod: K8s.Pod };
  destination: { query: string; target: TraceTarget };
}

/** Proxies hop from leg to leg; a path with more legs than this is going round in circles. */
const MAX_LEGS = 12;
const MAX_ALTERNATIVES = 6;
const EPHEMERAL_PORT = 43210;

interface Walked {
  rec: Recorder;
  verdict: Verdict;
  reason: string;
  choices: Choices;
}

/** Replays one connection from the source pod to the destination through the snapshot. */
export function traceRequest(snapshot: Snapshot, req: TraceRequest): Trace {
  const world = new World(snapshot);
  const main = walk(world, req, new Map());
  for (const leg of main.rec.legs) if (leg.to === '?') leg.to = `${leg.dst} (not reached)`;
  const alternatives = main.choices.points.flatMap((p) =>
    p.labels.slice(1).map((label, i) => ({ id: p.id, option: i + 1, label })),
  ).slice(0, MAX_ALTERNATIVES).map((alt) => {
    const other = walk(world, req, new Map([[alt.id, alt.option]]));
    return { reason: `${alt.label} (${other.verdict}: ${other.reason})`, hops: other.rec.hops };
  });
  const src = describeSource(world, req);
  const dst = describeDestination(world, req);
  main.rec.findings.push(...intentFindings(world, {
    source: req.source.pod,
    target: waypointTarget(req.destination.target),
    dst: destinationAddress(req.destination.target),
    aimed: aimedPod(world, req.destination.target),
  }, { hops: main.rec.hops, legs: main.rec.legs, verdict: main.verdict }));
  return {
    apiVersion: 'istio-path/v1',
    kind: 'Trace',
    snapshot: { path: snapshot.path, capturedAt: snapshot.meta.capturedAt, istio: snapshot.meta.istio?.version },
    source: src,
    destination: dst,
    hops: main.rec.hops,
    legs: main.rec.legs,
    verdict: main.verdict,
    reason: main.reason,
    alternatives,
    findings: [...(snapshot.findings ?? []), ...main.rec.findings],
  };
}

function waypointTarget(t: TraceTarget): WaypointTarget {
  return t.kind === 'service' ? { kind: 'service', service: t.service } : t.kind === 'pod' ? { kind: 'pod', pod: t.pod } : { kind: 'ip', ip: t.ip };
}

function aimedPod(world: World, t: TraceTarget): K8s.Pod | undefined {
  return t.kind === 'pod' ? t.pod : t.kind === 'service' ? serviceBackend(world, t.service) : world.podByAddress(t.ip);
}

function destinationAddress(t: TraceTarget): { ip: string; port: number } {
  switch (t.kind) {
    case 'pod': return { ip: t.pod.ip ?? '', port: t.port };
    case 'service': return { ip: t.service.clusterIP ?? '', port: t.port.port };
    case 'ip': return { ip: t.ip, port: t.port };
  }
}

function walk(world: World, req: TraceRequest, overrides: Map<string, number>): Walked {
  const rec = new Recorder();
  const choices = new Choices(overrides);
  const w: Walk = { world, rec, choices, request: appRequest(req.destination.target) };
  const pod = req.source.pod;
  const netns = world.podNetnsId(pod);
  const dst = destinationAddress(req.destination.target);
  const app = appContainer(pod);
  let proc: Process = { component: 'app', name: app, mark: 0, uid: 1000, assumed: 'the application\'s uid is not in the snapshot; any uid other than the proxy\'s (1337) behaves the same' };
  let pkt: Packet = { proto: 'tcp', src: pod.ip ?? '', sport: EPHEMERAL_PORT, dst: dst.ip, dport: dst.port, mark: 0, connmark: 0, zone: 0 };
  let protocol: LegProtocol = 'tcp';
  let hbone: Hbone | undefined;
  let from = `${pod.name} (${app})`;
  rec.startLeg(from, '?', protocol, endpoint(pkt.src, pkt.sport), endpoint(pkt.dst, pkt.dport));
  rec.hop({
    component: 'app', netns, node: pod.node, where: `container ${app}`, action: `connect() to ${endpoint(dst.ip, dst.port)}`, before: pkt,
    evidence: [{ ...pod.evidence, text: `pod ${pod.namespace}/${pod.name} ${pod.ip}` }], note: `${proc.assumed}; ${w.request.why}`,
  });
  let current = netns;
  for (let leg = 0; leg < MAX_LEGS; leg++) {
    const end = sendFrom(w, current, proc, pkt);
    if (end.kind === 'end') return { rec, verdict: end.verdict, reason: end.reason, choices };
    const acc = end.acceptor;
    const label = acceptorLabel(world, end.netns, acc.process.name, acc.process.component);
    rec.closeLeg(label);
    rec.hop({
      component: acc.process.component, netns: end.netns, node: world.nodeOf(end.netns),
      where: `socket ${endpoint(acc.socket.addr, acc.socket.port)} (${acc.process.name}${acc.socket.uid !== undefined ? `, uid ${acc.socket.uid}` : ''})`,
      action: `accept ${protocol === 'hbone' ? 'HBONE ' : ''}connection (original destination ${endpoint(end.originalDst.ip, end.originalDst.port)})`,
      before: end.pkt, evidence: acc.evidence, status: acc.inferred ? 'inferred' : undefined,
    });
    const n = rec.legs.length;
    const shake = handshake(w, end, n, { client: from, server: label });
    if (shake.failed) {
      const { packet, end: lost } = shake.failed;
      return { rec, verdict: 'dropped', reason: `the connection of leg ${n} never opens: its ${packet} is lost (${lost.reason})`, choices };
    }
    if (shake.unverified) {
      rec.finding({
        code: 'handshake-unverified', severity: 'info',
        message: `the ${shake.unverified.packet} of leg ${n} could not be followed (${shake.unverified.reason}); the connection is taken to open`,
        hops: [rec.lastHop], evidence: [],
      });
    }
    if (acc.process.component === 'app') {
      return { rec, verdict: 'delivered', reason: `accepted by ${acc.process.name} in ${end.netns} on ${endpoint(end.pkt.dst, end.pkt.dport)}`, choices };
    }
    const out = proxyDecision(w, { netns: end.netns, acceptor: acc, pkt: end.pkt, originalDst: end.originalDst, via: { protocol, hbone } });
    if (out.kind === 'end') return { rec, verdict: out.verdict, reason: out.reason, choices };
    from = label;
    proc = out.process;
    protocol = out.protocol;
    hbone = out.hbone;
    current = end.netns;
    pkt = { proto: 'tcp', src: out.src ?? '', sport: EPHEMERAL_PORT + leg + 1, dst: out.dst, dport: out.dport, mark: proc.mark, connmark: 0, zone: 0, ...(hbone ? { hbone } : {}) };
    rec.startLeg(from, '?', protocol, endpoint(pkt.src || '*', pkt.sport), endpoint(pkt.dst, pkt.dport));
  }
  return { rec, verdict: 'unknown', reason: `more than ${MAX_LEGS} proxy legs: the path loops between proxies`, choices };
}

const HTTP_PROTOCOLS = ['http', 'http2', 'grpc', 'grpc-web', 'h2c'];

/** Istio's protocol selection: the port's appProtocol, else the prefix of its name (`http-api`, `grpc`). */
function appRequest(t: TraceTarget): AppRequest {
  if (t.kind !== 'service') return { http: false, why: 'the destination is not a Service: the request is treated as opaque TCP' };
  const p = t.port;
  const proto = (p.appProtocol ?? p.name?.split('-')[0] ?? '').toLowerCase();
  const http = HTTP_PROTOCOLS.includes(proto);
  const host = `${t.service.name}.${t.service.namespace}.svc.cluster.local`;
  const why = p.appProtocol ? `appProtocol ${p.appProtocol}` : p.name ? `port name ${p.name}` : 'an unnamed port';
  return { http, host: http ? host : undefined, why: `Service port ${p.port} has ${why}: ${http ? 'HTTP' : 'opaque TCP'}` };
}

function appContainer(pod: K8s.Pod): string {
  return pod.containers.find((c) => c.name !== 'istio-proxy')?.name ?? pod.containers[0]?.name ?? pod.name;
}

function acceptorLabel(world: World, netns: string, name: string, component: ReturnType<typeof componentOfProcess>): string {
  const pod = world.podOf(netns);
  const where = pod ? pod.name : netns;
  return component === 'app' ? `${where} (${name})` : `${where} (${component})`;
}

function describeSource(world: World, req: TraceRequest): Endpointish {
  const pod = req.source.pod;
  const g = detectGeneration(world, pod);
  return { query: req.source.query, namespace: pod.namespace, pod: pod.name, ip: pod.ip, node: pod.node, mode: g.mode, generation: g.generation };
}

function describeDestination(world: World, req: TraceRequest): Trace['destination'] {
  const t = req.destination.target;
  const base = { query: req.destination.query };
  if (t.kind === 'ip') {
    const pod = world.podByAddress(t.ip);
    return { ...base, ip: t.ip, port: t.port, ...(pod ? podFields(world, pod) : {}) };
  }
  if (t.kind === 'pod') return { ...base, port: t.port, ...podFields(world, t.pod) };
  const backend = serviceBackend(world, t.service);
  return { ...base, namespace: t.service.namespace, service: t.service.name, serviceIP: t.service.clusterIP, port: t.port.port, ...(backend ? podFields(world, backend) : {}) };
}

function podFields(world: World, pod: K8s.Pod): Omit<Endpointish, 'query'> {
  const g = detectGeneration(world, pod);
  return { namespace: pod.namespace, pod: pod.name, ip: pod.ip, node: pod.node, mode: g.mode, generation: g.generation };
}

/** The first ready backend of a service, by the EndpointSlices, for the header. */
function serviceBackend(world: World, svc: K8s.Service): K8s.Pod | undefined {
  for (const slice of world.snapshot.k8s.endpointSlices) {
    if (slice.namespace !== svc.namespace || slice.service !== svc.name) continue;
    for (const ep of slice.endpoints) {
      const pod = ep.addresses.map((a) => world.podByAddress(a)).find(Boolean);
      if (pod) return pod;
    }
  }
  return undefined;
}
