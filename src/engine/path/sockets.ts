import type { Evidence, NetnsData, Packet, Socket } from '../../model/index.ts';
import { findListener } from '../sockets/lookup.ts';
import type { HookResult } from '../netfilter/evaluate.ts';
import { componentOfProcess, type Acceptor, type Process } from './process.ts';
import type { Walk } from './kernel.ts';

/** Ports Istio's proxies listen on, used only to label an acceptor when `sockets.txt` is missing. */
const SIDECAR_PORTS = [15001, 15006, 15008, 15021, 15090];
const ZTUNNEL_PORTS = [15001, 15006, 15008];

/** The socket that takes a connection delivered locally: the TPROXY-assigned one, else the listener on the destination. */
export function acceptorFor(w: Walk, ns: NetnsData, netnsId: string, pkt: Packet, tproxy: HookResult['tproxy']): Acceptor | undefined {
  const port = tproxy ? tproxy.port : pkt.dport;
  const addr = tproxy?.ip && tproxy.ip !== '0.0.0.0' ? tproxy.ip : pkt.dst;
  if (ns.sockets) {
    const s = findListener(ns.sockets, addr, port);
    if (!s) return undefined;
    return { socket: s, process: processOf(s, ns), inferred: false, evidence: [s.evidence] };
  }
  return inferAcceptor(w, ns, netnsId, port);
}

export function processOf(s: Socket, ns: NetnsData): Process {
  const component = componentOfProcess(s.process, ns.envoy?.role);
  return { component, name: s.process ?? 'unknown', uid: s.uid, mark: 0 };
}

/** Without `sockets.txt`, the pod spec says who probably listens: an app container port, or Istio's proxy ports. */
function inferAcceptor(w: Walk, ns: NetnsData, netnsId: string, port: number): Acceptor | undefined {
  const pod = w.world.podOf(netnsId);
  const missing: Evidence = { file: `${ns.dir}/sockets.txt`, missing: true };
  const make = (name: string, component: Process['component'], uid: number | undefined, ev: Evidence): Acceptor => ({
    socket: { proto: 'tcp', addr: '0.0.0.0', port, process: name, uid, evidence: ev },
    process: { component, name, uid, mark: 0 },
    inferred: true,
    evidence: [missing, ev],
  });
  if (!pod) return undefined;
  for (const c of pod.containers) {
    if (c.ports.some((p) => p.containerPort === port) && c.name !== 'istio-proxy') return make(c.name, 'app', undefined, { ...pod.evidence, text: `container ${c.name} port ${port}` });
  }
  if (pod.containers.some((c) => c.name === 'istio-proxy') && SIDECAR_PORTS.includes(port)) return make('envoy', ns.envoy?.role === 'waypoint' ? 'waypoint' : 'sidecar', 1337, { ...pod.evidence, text: 'container istio-proxy' });
  if ((pod.labels['app'] === 'ztunnel' || pod.annotations['ambient.istio.io/redirection'] === 'enabled') && ZTUNNEL_PORTS.includes(port)) return make('ztunnel', 'ztunnel', 0, { ...pod.evidence, text: 'ztunnel' });
  return undefined;
}
