/**
 * Builds one example cluster's data plane on this machine with real network namespaces — a fabric
 * bridge, one netns per node, one per pod — installs the rules each component would install, and dumps
 * every netns with the real tools into the snapshot layout. Nothing here is printed by hand: the kernel
 * and the tools produce every file, and only the Geneve link entries and the iptables-save dates are
 * rewritten afterwards (see README.md).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CAPTURED_AT, uuidOf } from './proxies/names.ts';
import type { ExampleSpec, NodeSpec, PodSpec, ServiceSpec } from './topology.ts';

const CLUSTER_CIDR = '10.244.0.0/16';
const FABRIC_GATEWAY = '172.18.0.1';

/** Istio 1.18 node-level constants (cni/pkg/ambient/constants). */
const TUN = {
  istioin: { vni: 1000, node: '192.168.126.1', ztunnel: '192.168.126.2', peer: 'pistioin' },
  istioout: { vni: 1001, node: '192.168.127.1', ztunnel: '192.168.127.2', peer: 'pistioout' },
} as const;
const GENEVE_PORT = 6081;

// ───────────────────────────── names ─────────────────────────────

const hex = (s: string, n: number): string => createHash('sha1').update(s).digest('hex').slice(0, n);

/** The node end of a pod's veth, named like a CNI plugin names it: stable per pod. */
export const podVeth = (pod: PodSpec): string => `veth${hex(`${pod.namespace}/${pod.name}`, 8)}`;

/** A locally administered MAC derived from a seed, so link dumps do not change between runs. */
const mac = (seed: string): string => `02:${hex(seed, 10).match(/../g)!.join(':')}`;

const nodeIndex = (spec: ExampleSpec, node: string): number => spec.nodes.findIndex((n) => n.name === node) + 1;
const nodeGateway = (spec: ExampleSpec, node: string): string => `10.244.${nodeIndex(spec, node)}.1`;
const ztunnelOn = (spec: ExampleSpec, node: string): PodSpec | undefined => spec.pods.find((p) => p.node === node && p.mode === 'ztunnel');
/** The pod's `metadata.uid` as the Kubernetes lists carry it; istio-cni comments each ipset member with it. */
export const podUid = (pod: PodSpec): string => uuidOf(`pod/${pod.namespace}/${pod.name}`);
const ambientPodsOn = (spec: ExampleSpec, node: string): PodSpec[] => spec.pods.filter((p) => p.node === node && (p.mode === 'ambient' || p.alsoAmbient));

// ───────────────────────────── the lab ─────────────────────────────

/** Every netns and process one build creates, so teardown removes exactly those. */
export class Lab {
  private readonly prefix = `ipx${randomBytes(3).toString('hex')}`;
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];
  readonly binDir = mkdtempSync(path.join(os.tmpdir(), 'istio-path-bin-'));

  constructor() {
    // the listeners run as unprivileged uids and must reach their binaries
    chmodSync(this.binDir, 0o755);
  }

  netns(role: string): string {
    const name = `${this.prefix}-${role}`;
    execFileSync('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    return name;
  }

  run(ns: string, cmd: string, args: string[], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  ip(ns: string, ...args: string[]): void {
    execFileSync('ip', ['-n', ns, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  start(ns: string, args: string[]): void {
    this.processes.push(spawn('ip', ['netns', 'exec', ns, ...args], { stdio: 'ignore' }));
  }

  teardown(): void {
    for (const p of this.processes) p.kill('SIGKILL');
    for (const ns of this.namespaces.reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // a half-built namespace may already be gone; teardown must go on with the rest
      }
    }
    rmSync(this.binDir, { recursive: true, force: true });
  }
}

// ───────────────────────────── wiring ─────────────────────────────

export interface Built {
  fabric: string;
  nodeNs: Map<string, string>;
  podNs: Map<PodSpec, string>;
}

export function wire(lab: Lab, spec: ExampleSpec): Built {
  const fabric = lab.netns('fabric');
  lab.ip(fabric, 'link', 'add', 'name', 'br0', 'type', 'bridge');
  lab.ip(fabric, 'addr', 'add', `${FABRIC_GATEWAY}/16`, 'dev', 'br0');
  lab.ip(fabric, 'link', 'set', 'br0', 'up');
  const nodeNs = new Map(spec.nodes.map((n) => [n.name, wireNode(lab, spec, fabric, n)]));
  const podNs = new Map(spec.pods.map((p) => [p, wirePod(lab, spec, nodeNs.get(p.node)!, p)]));
  return { fabric, nodeNs, podNs };
}

/** A kind node: eth0 on the docker-style bridge, kindnet routes to the other nodes' pod CIDRs. */
function wireNode(lab: Lab, spec: ExampleSpec, fabric: string, node: NodeSpec): string {
  const ns = lab.netns(node.name);
  const uplink = `up-${node.name}`;
  const last = Number(node.ip.split('.')[3]).toString(16).padStart(2, '0');
  lab.ip(fabric, 'link', 'add', 'name', uplink, 'type', 'veth', 'peer', 'name', 'eth0', 'address', `02:42:ac:12:00:${last}`, 'netns', ns);
  lab.ip(fabric, 'link', 'set', uplink, 'master', 'br0', 'up');
  lab.ip(ns, 'link', 'set', 'lo', 'up');
  lab.ip(ns, 'link', 'set', 'eth0', 'up');
  lab.ip(ns, 'addr', 'add', `${node.ip}/16`, 'dev', 'eth0');
  lab.ip(ns, 'route', 'add', 'default', 'via', FABRIC_GATEWAY, 'dev', 'eth0');
  for (const other of spec.nodes.filter((n) => n !== node)) lab.ip(ns, 'route', 'add', other.podCIDR, 'via', other.ip, 'dev', 'eth0');
  return ns;
}

/** A pod: a veth whose node end holds the node's pod gateway /32 and a host route to the pod. */
function wirePod(lab: Lab, spec: ExampleSpec, nodeNs: string, pod: PodSpec): string {
  const ns = lab.netns(`p${hex(pod.name, 6)}`);
  const veth = podVeth(pod);
  const gw = nodeGateway(spec, pod.node);
  lab.ip(nodeNs, 'link', 'add', 'name', veth, 'address', mac(`node/${veth}`), 'type', 'veth', 'peer', 'name', 'eth0', 'address', mac(`pod/${veth}`), 'netns', ns);
  lab.ip(nodeNs, 'addr', 'add', `${gw}/32`, 'dev', veth);
  lab.ip(nodeNs, 'link', 'set', veth, 'up');
  lab.ip(nodeNs, 'route', 'add', pod.ip, 'dev', veth, 'scope', 'host');
  // containerd lets pod processes bind any port (apps on :80 run unprivileged)
  lab.run(ns, 'sysctl', ['-qw', 'net.ipv4.ip_unprivileged_port_start=0']);
  lab.ip(ns, 'link', 'set', 'lo', 'up');
  lab.ip(ns, 'link', 'set', 'eth0', 'up');
  lab.ip(ns, 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0', 'noprefixroute');
  lab.ip(ns, 'route', 'add', gw, 'dev', 'eth0', 'scope', 'link', 'src', pod.ip);
  lab.ip(ns, 'route', 'add', 'default', 'via', gw, 'dev', 'eth0');
  lab.ip(ns, 'route', 'add', `10.244.${nodeIndex(spec, pod.node)}.0/24`, 'via', gw, 'dev', 'eth0', 'src', pod.ip);
  return ns;
}

// ───────────────────────────── kube-proxy ─────────────────────────────

/** kube-proxy's chain name: prefix + the first 16 base32 characters of sha256(servicePortName + protocol [+ endpoint]). */
function kubeChain(prefix: string, input: string): string {
  const bytes = createHash('sha256').update(input).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return prefix + out;
}

const endpointsOf = (spec: ExampleSpec, svc: ServiceSpec): PodSpec[] =>
  spec.pods.filter((p) => p.namespace === svc.namespace && (p.app === svc.selectorApp || svc.extraBackends?.includes(p.name)));

interface KubeRules {
  chains: string[];
  services: string[];
  rules: string[];
  rejects: string[];
}

function kubeServicePort(spec: ExampleSpec, svc: ServiceSpec, port: ServiceSpec['ports'][number], out: KubeRules): void {
  const name = `${svc.namespace}/${svc.name}:${port.name}`;
  const match = `-d ${svc.clusterIP}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport ${port.port}`;
  const eps = endpointsOf(spec, svc);
  if (eps.length === 0) {
    out.rejects.push(`-A KUBE-SERVICES ${match.replace('cluster IP', 'has no endpoints')} -j REJECT --reject-with icmp-port-unreachable`);
    return;
  }
  const svcChain = kubeChain('KUBE-SVC-', `${name}tcp`);
  out.chains.push(svcChain);
  out.services.push(`-A KUBE-SERVICES ${match} -j ${svcChain}`);
  out.rules.push(`-A ${svcChain} ! -s ${CLUSTER_CIDR} ${match} -j KUBE-MARK-MASQ`);
  eps.forEach((ep, i) => {
    const dest = `${ep.ip}:${port.targetPort}`;
    const sepChain = kubeChain('KUBE-SEP-', `${name}tcp${dest}`);
    const left = eps.length - i;
    const pick = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(11)}` : '';
    out.chains.push(sepChain);
    out.rules.push(`-A ${svcChain} -m comment --comment "${name} -> ${dest}"${pick} -j ${sepChain}`);
    out.rules.push(`-A ${sepChain} -s ${ep.ip}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ`);
    out.rules.push(`-A ${sepChain} -p tcp -m comment --comment "${name}" -m tcp -j DNAT --to-destination ${dest}`);
  });
}

/** kube-proxy (iptables mode) for every Service, plus the example's extra filter rules for this node. */
export function kubeProxyRestore(spec: ExampleSpec, node: string): string {
  const out: KubeRules = { chains: [], services: [], rules: [], rejects: [] };
  for (const svc of spec.services) for (const port of svc.ports) kubeServicePort(spec, svc, port, out);
  const nat = [
    '*nat',
    ...['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODEPORTS', 'KUBE-MARK-MASQ', ...out.chains].map((c) => `:${c} - [0:0]`),
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    ...out.services,
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    ...out.rules,
    'COMMIT',
  ];
  const filter = [
    '*filter',
    ':KUBE-FORWARD - [0:0]',
    ':KUBE-SERVICES - [0:0]',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ...out.rejects,
    ...(spec.nodeFilterRules?.[node] ?? []),
    'COMMIT',
  ];
  return [...nat, ...filter, ''].join('\n');
}

// ───────────────────────────── Istio 1.18 node-level ambient ─────────────────────────────

/**
 * istio-cni's `initializeLists` and `CreateRulesOnNode` (1.18.2), one iptables command per rule in
 * the order the code issues them. `hostIP` is what `GetHostIP` finds: the node's address inside its PodCIDR.
 */
export function ambientNodeIptables(ztunnelVeth: string, ztunnelIP: string, hostIP: string): string[][] {
  const hooks: [string, string, string][] = [
    ['nat', 'PREROUTING', 'ztunnel-PREROUTING'],
    ['nat', 'POSTROUTING', 'ztunnel-POSTROUTING'],
    ['mangle', 'PREROUTING', 'ztunnel-PREROUTING'],
    ['mangle', 'POSTROUTING', 'ztunnel-POSTROUTING'],
    ['mangle', 'OUTPUT', 'ztunnel-OUTPUT'],
    ['mangle', 'INPUT', 'ztunnel-INPUT'],
    ['mangle', 'FORWARD', 'ztunnel-FORWARD'],
  ];
  const m = (chain: string, ...rule: string[]): string[] => ['-t', 'mangle', '-A', chain, ...rule];
  const n = (chain: string, ...rule: string[]): string[] => ['-t', 'nat', '-A', chain, ...rule];
  const pre = 'ztunnel-PREROUTING';
  const saveMark = (mark: string, mask: string): string[] => ['-m', 'mark', '--mark', mark, '-j', 'CONNMARK', '--save-mark', '--nfmask', mask, '--ctmask', mask];
  return [
    ...hooks.flatMap(([table, builtin, chain]) => [['-t', table, '-N', chain], ['-t', table, '-I', builtin, '-j', chain]]),
    m(pre, '-i', 'istioin', '-j', 'MARK', '--set-mark', '0x200/0x200'),
    m(pre, '-i', 'istioin', '-j', 'RETURN'),
    m(pre, '-i', 'istioout', '-j', 'MARK', '--set-mark', '0x200/0x200'),
    m(pre, '-i', 'istioout', '-j', 'RETURN'),
    m('ztunnel-FORWARD', ...saveMark('0x220/0x220', '0x220')),
    m('ztunnel-INPUT', ...saveMark('0x220/0x220', '0x220')),
    m('ztunnel-FORWARD', ...saveMark('0x210/0x210', '0x210')),
    m('ztunnel-INPUT', ...saveMark('0x210/0x210', '0x210')),
    m('ztunnel-OUTPUT', '--source', hostIP, '-j', 'MARK', '--set-mark', '0x220'),
    n(pre, '-m', 'mark', '--mark', '0x100/0x100', '-j', 'ACCEPT'),
    n('ztunnel-POSTROUTING', '-m', 'mark', '--mark', '0x100/0x100', '-j', 'ACCEPT'),
    m(pre, '-p', 'udp', '-m', 'udp', '--dport', String(GENEVE_PORT), '-j', 'RETURN'),
    m(pre, '-m', 'connmark', '--mark', '0x220/0x220', '-j', 'MARK', '--set-mark', '0x200/0x200'),
    m(pre, '-m', 'mark', '--mark', '0x200/0x200', '-j', 'RETURN'),
    m(pre, '!', '-i', ztunnelVeth, '-m', 'connmark', '--mark', '0x210/0x210', '-j', 'MARK', '--set-mark', '0x040/0x040'),
    m(pre, '-m', 'mark', '--mark', '0x040/0x040', '-j', 'RETURN'),
    m(pre, '-i', ztunnelVeth, '!', '--source', ztunnelIP, '-j', 'MARK', '--set-mark', '0x210/0x210'),
    m(pre, '-m', 'mark', '--mark', '0x200/0x200', '-j', 'RETURN'),
    m(pre, '-i', ztunnelVeth, '-j', 'MARK', '--set-mark', '0x220/0x220'),
    m(pre, '-p', 'udp', '-j', 'MARK', '--set-mark', '0x220/0x220'),
    m(pre, '-m', 'mark', '--mark', '0x200/0x200', '-j', 'RETURN'),
    m(pre, '-p', 'tcp', '-m', 'set', '--match-set', 'ztunnel-pods-ips', 'src', '-j', 'MARK', '--set-mark', '0x100/0x100'),
  ];
}

/** `CreateRulesWithinNodeProxyNS` (1.18.2): the TPROXY rules inside the ztunnel pod, after it flushes mangle PREROUTING and nat OUTPUT. */
export function ztunnelNetnsIptables(ztunnelIP: string): string[][] {
  const tproxy = (port: number): string[] => ['-j', 'TPROXY', '--tproxy-mark', '0x400/0xfff', '--on-port', String(port), '--on-ip', '127.0.0.1'];
  const pre = (...rule: string[]): string[] => ['-t', 'mangle', '-A', 'PREROUTING', ...rule];
  return [
    ['-t', 'mangle', '-F', 'PREROUTING'],
    ['-t', 'nat', '-F', 'OUTPUT'],
    pre('-p', 'tcp', '-i', 'pistioin', '-m', 'tcp', '--dport', '15008', ...tproxy(15008)),
    pre('-p', 'tcp', '-i', 'pistioout', ...tproxy(15001)),
    pre('-p', 'tcp', '-i', 'pistioin', ...tproxy(15006)),
    pre('-p', 'tcp', '-i', 'eth0', '!', '--dst', ztunnelIP, '-j', 'MARK', '--set-mark', '0x4d3/0xfff'),
  ];
}

/** A Geneve tunnel end. The kernel here cannot make Geneve devices, so a VXLAN device with the same name, VNI, remote and port stands in (see `genevify`). */
function tunnelEnd(lab: Lab, ns: string, name: string, vni: number, remote: string, address: string): void {
  lab.ip(ns, 'link', 'add', 'name', name, 'address', mac(`${ns}/${name}`), 'mtu', '1450', 'type', 'vxlan', 'id', String(vni), 'remote', remote, 'dstport', String(GENEVE_PORT));
  lab.ip(ns, 'addr', 'add', `${address}/30`, 'dev', name);
  lab.ip(ns, 'link', 'set', name, 'up');
}

function ambientNode(lab: Lab, spec: ExampleSpec, built: Built, node: NodeSpec): void {
  const zt = ztunnelOn(spec, node.name);
  if (!zt) return;
  const ns = built.nodeNs.get(node.name)!;
  const ztNs = built.podNs.get(zt)!;
  const veth = podVeth(zt);
  const hostIP = nodeGateway(spec, node.name);
  lab.run(ns, 'ipset', ['create', 'ztunnel-pods-ips', 'hash:ip', 'family', 'inet', 'comment']);
  for (const args of ambientNodeIptables(veth, zt.ip, hostIP)) lab.run(ns, 'iptables', args);
  tunnelEnd(lab, ns, 'istioin', TUN.istioin.vni, zt.ip, TUN.istioin.node);
  tunnelEnd(lab, ns, 'istioout', TUN.istioout.vni, zt.ip, TUN.istioout.node);
  lab.ip(ns, 'route', 'add', 'table', '101', zt.ip, 'dev', veth, 'scope', 'link');
  lab.ip(ns, 'route', 'add', 'table', '101', '0.0.0.0/0', 'via', TUN.istioout.ztunnel, 'dev', 'istioout');
  lab.ip(ns, 'route', 'add', 'table', '102', zt.ip, 'dev', veth, 'scope', 'link');
  lab.ip(ns, 'route', 'add', 'table', '102', '0.0.0.0/0', 'via', zt.ip, 'dev', veth, 'onlink');
  lab.ip(ns, 'route', 'add', 'table', '100', zt.ip, 'dev', veth, 'scope', 'link');
  lab.ip(ns, 'rule', 'add', 'priority', '100', 'fwmark', '0x200/0x200', 'goto', '32766');
  lab.ip(ns, 'rule', 'add', 'priority', '101', 'fwmark', '0x100/0x100', 'lookup', '101');
  lab.ip(ns, 'rule', 'add', 'priority', '102', 'fwmark', '0x040/0x040', 'lookup', '102');
  lab.ip(ns, 'rule', 'add', 'priority', '103', 'table', '100');
  for (const pod of ambientPodsOn(spec, node.name)) {
    lab.run(ns, 'ipset', ['add', 'ztunnel-pods-ips', pod.ip, 'comment', podUid(pod)]);
    lab.ip(ns, 'route', 'add', 'table', '100', `${pod.ip}/32`, 'via', TUN.istioin.ztunnel, 'dev', 'istioin', 'src', hostIP);
  }
  ztunnelNetns(lab, ztNs, zt.ip, hostIP);
}

function ztunnelNetns(lab: Lab, ns: string, ztunnelIP: string, hostIP: string): void {
  tunnelEnd(lab, ns, 'pistioin', TUN.istioin.vni, hostIP, TUN.istioin.ztunnel);
  tunnelEnd(lab, ns, 'pistioout', TUN.istioout.vni, hostIP, TUN.istioout.ztunnel);
  lab.ip(ns, 'rule', 'add', 'priority', '20000', 'fwmark', '0x400/0xfff', 'lookup', '100');
  lab.ip(ns, 'rule', 'add', 'priority', '20003', 'fwmark', '0x4d3/0xfff', 'lookup', '100');
  lab.ip(ns, 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '100', 'scope', 'host');
  lab.ip(ns, 'route', 'add', 'table', '101', '0.0.0.0/0', 'via', TUN.istioout.node, 'dev', 'pistioout');
  lab.ip(ns, 'route', 'add', 'table', '102', '0.0.0.0/0', 'via', TUN.istioin.node, 'dev', 'pistioin');
  lab.ip(ns, 'route', 'add', 'table', '101', `${hostIP}/32`, 'dev', 'eth0', 'scope', 'link');
  lab.ip(ns, 'route', 'add', 'table', '102', `${hostIP}/32`, 'dev', 'eth0', 'scope', 'link');
  for (const args of ztunnelNetnsIptables(ztunnelIP)) lab.run(ns, 'iptables', args);
}

// ───────────────────────────── Istio in-pod ambient ─────────────────────────────

/** The in-pod rules of istio-cni 1.21.0 (`cni/pkg/iptables`, TPROXY generation, DNS capture on), one command per rule. */
export function inpodTproxyIptables(): string[][] {
  const lines = [
    '-t mangle -N ISTIO_PRERT',
    '-t nat -N ISTIO_OUTPUT',
    '-t mangle -N ISTIO_OUTPUT',
    '-t mangle -A PREROUTING -j ISTIO_PRERT',
    '-t mangle -A OUTPUT -j ISTIO_OUTPUT',
    '-t nat -A OUTPUT -j ISTIO_OUTPUT',
    '-t mangle -A ISTIO_PRERT -m mark --mark 0x539/0xfff -j CONNMARK --set-xmark 0x111/0xfff',
    '-t mangle -A ISTIO_PRERT -s 169.254.7.127 -p tcp -m tcp -j ACCEPT',
    '-t nat -A ISTIO_OUTPUT -d 169.254.7.127 -p tcp -m tcp -j ACCEPT',
    '-t mangle -A ISTIO_PRERT ! -d 127.0.0.1/32 -p tcp -i lo -j ACCEPT',
    '-t mangle -A ISTIO_PRERT -p tcp -m tcp --dport 15008 -m mark ! --mark 0x539/0xfff -j TPROXY --on-port 15008 --tproxy-mark 0x111/0xfff',
    '-t mangle -A ISTIO_PRERT -p tcp -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-t mangle -A ISTIO_PRERT ! -d 127.0.0.1/32 -p tcp -m mark ! --mark 0x539/0xfff -j TPROXY --on-port 15006 --tproxy-mark 0x111/0xfff',
    '-t mangle -A ISTIO_OUTPUT -m connmark --mark 0x111/0xfff -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff',
    '-t nat -A ISTIO_OUTPUT ! -o lo -p udp -m udp --dport 53 -j REDIRECT --to-port 15053',
    '-t nat -A ISTIO_OUTPUT -p tcp -m mark --mark 0x111/0xfff -j ACCEPT',
    '-t nat -A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -j ACCEPT',
    '-t nat -A ISTIO_OUTPUT ! -d 127.0.0.1/32 -p tcp -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15001',
  ];
  return lines.map((l) => l.split(' '));
}

/** The in-pod rules of istio-cni 1.24.0 (REDIRECT generation, DNS capture on), as the iptables-restore input it feeds. */
export function inpodRedirectRestore(): string {
  return [
    '* mangle',
    '-N ISTIO_PRERT',
    '-N ISTIO_OUTPUT',
    '-A PREROUTING -j ISTIO_PRERT',
    '-A OUTPUT -j ISTIO_OUTPUT',
    '-A ISTIO_PRERT -m mark --mark 0x539/0xfff -j CONNMARK --set-xmark 0x111/0xfff',
    '-A ISTIO_OUTPUT -m connmark --mark 0x111/0xfff -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff',
    'COMMIT',
    '* nat',
    '-N ISTIO_PRERT',
    '-N ISTIO_OUTPUT',
    '-A OUTPUT -j ISTIO_OUTPUT',
    '-A PREROUTING -j ISTIO_PRERT',
    '-A ISTIO_PRERT -s 169.254.7.127 -p tcp -m tcp -j ACCEPT',
    '-A ISTIO_OUTPUT -d 169.254.7.127 -p tcp -m tcp -j ACCEPT',
    '-A ISTIO_PRERT ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15006',
    '-A ISTIO_OUTPUT ! -o lo -p udp -m mark ! --mark 0x539/0xfff -m udp --dport 53 -j REDIRECT --to-port 15053',
    '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -p tcp --dport 53 -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15053',
    '-A ISTIO_OUTPUT -p tcp -m mark --mark 0x111/0xfff -j ACCEPT',
    '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -j ACCEPT',
    '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -p tcp -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15001',
    'COMMIT',
    '* raw',
    '-N ISTIO_OUTPUT',
    '-N ISTIO_PRERT',
    '-A PREROUTING -j ISTIO_PRERT',
    '-A OUTPUT -j ISTIO_OUTPUT',
    '-A ISTIO_OUTPUT -p udp -m mark --mark 0x539/0xfff -m udp --dport 53 -j CT --zone 1',
    '-A ISTIO_PRERT -p udp -m mark ! --mark 0x539/0xfff -m udp --sport 53 -j CT --zone 1',
    'COMMIT',
  ].join('\n');
}

/** The probe ipset's name: 1.21/1.22 had one set, 1.23+ one per family. */
const probeSet = (spec: ExampleSpec): string => (spec.ambient === 'inpod-tproxy' ? 'istio-inpod-probes' : 'istio-inpod-probes-v4');

/** The node-side rule that SNATs kubelet probes to 169.254.7.127 so the in-pod rules let them through. */
export function hostProbeIptables(set: string): string[][] {
  return [
    ['-t', 'nat', '-N', 'ISTIO_POSTRT'],
    ['-t', 'nat', '-A', 'POSTROUTING', '-j', 'ISTIO_POSTRT'],
    ['-t', 'nat', '-A', 'ISTIO_POSTRT', '-m', 'owner', '--socket-exists', '-p', 'tcp', '-m', 'set', '--match-set', set, 'dst', '-j', 'SNAT', '--to-source', '169.254.7.127'],
  ];
}

function inpodNode(lab: Lab, spec: ExampleSpec, ns: string, node: NodeSpec): void {
  const set = probeSet(spec);
  const family = spec.ambient === 'inpod-redirect' ? ['family', 'inet'] : [];
  lab.run(ns, 'ipset', ['create', set, 'hash:ip', ...family, 'comment']);
  for (const pod of ambientPodsOn(spec, node.name)) lab.run(ns, 'ipset', ['add', set, pod.ip, 'comment', podUid(pod)]);
  if (spec.ambient === 'inpod-redirect') lab.run(ns, 'iptables-restore', ['--noflush'], restoreOf(hostProbeIptables(set)));
  else for (const args of hostProbeIptables(set)) lab.run(ns, 'iptables', args);
}

/** The same rules as the iptables-restore blob the 1.23+ agent feeds, in Istio's `* table` spelling. */
function restoreOf(commands: string[][]): string {
  const tables = new Map<string, string[]>();
  for (const [, table, ...rule] of commands) tables.set(table, [...(tables.get(table) ?? []), rule.join(' ')]);
  return [...tables].flatMap(([table, rules]) => [`* ${table}`, ...rules, 'COMMIT']).join('\n');
}

function inpodPod(lab: Lab, spec: ExampleSpec, pod: PodSpec, ns: string): void {
  if (spec.ambient === 'inpod-redirect') lab.run(ns, 'iptables-restore', ['--noflush'], inpodRedirectRestore());
  else for (const args of inpodTproxyIptables()) lab.run(ns, 'iptables', args);
  if (pod.replyRule !== false) lab.ip(ns, 'rule', 'add', 'fwmark', '0x111/0xfff', 'pref', '32764', 'lookup', '100');
  lab.ip(ns, 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '100');
}

// ───────────────────────────── Istio sidecars ─────────────────────────────

/**
 * What istio-cni's sidecar plugin feeds iptables-restore for an injected pod (1.18.2 and 1.24.0 agree):
 * REDIRECT mode, inbound `*` minus the status ports 15020/15021/15090, outbound `*`, proxy uid/gid 1337.
 */
export function sidecarRestore(excludedOutboundPorts: string[] = []): string {
  return [
    '* nat',
    '-N ISTIO_INBOUND',
    '-N ISTIO_REDIRECT',
    '-N ISTIO_IN_REDIRECT',
    '-N ISTIO_OUTPUT',
    '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
    '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
    '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
    '-A PREROUTING -p tcp -j ISTIO_INBOUND',
    '-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN',
    '-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN',
    '-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN',
    '-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
    '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
    '-A ISTIO_OUTPUT -p tcp --dport 15020 -j RETURN',
    ...excludedOutboundPorts.map((port) => `-A ISTIO_OUTPUT -p tcp --dport ${port} -j RETURN`),
    '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN',
    '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT',
    '-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN',
    '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
    '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT',
    '-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN',
    '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
    '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
    '-A ISTIO_OUTPUT -j ISTIO_REDIRECT',
    'COMMIT',
  ].join('\n');
}

/**
 * The `nft -f` transaction Istio 1.28's nftables backend (`tools/istio-nftables/pkg/capture`) writes for
 * the same sidecar configuration, IPv4 only: the excluded outbound port 15020 becomes a tcp and a udp return.
 */
export function sidecarNft(): string {
  const t = 'inet istio-proxy-nat';
  const rule = (chain: string, body: string): string => `add rule ${t} ${chain} ${body}`;
  return [
    `add table ${t}`,
    `flush table ${t}`,
    `add chain ${t} prerouting { type nat hook prerouting priority -100 ; }`,
    `add chain ${t} output { type nat hook output priority -100 ; }`,
    `add chain ${t} istio-inbound`,
    `add chain ${t} istio-redirect`,
    `add chain ${t} istio-in-redirect`,
    `add chain ${t} istio-output`,
    rule('istio-inbound', 'meta l4proto tcp tcp dport 15008 counter return'),
    rule('istio-redirect', 'meta l4proto tcp counter redirect to :15001'),
    rule('istio-in-redirect', 'meta l4proto tcp counter redirect to :15006'),
    rule('prerouting', 'meta l4proto tcp counter jump istio-inbound'),
    ...['15020', '15021', '15090'].map((p) => rule('istio-inbound', `meta l4proto tcp tcp dport ${p} counter return`)),
    rule('istio-inbound', 'meta l4proto tcp counter jump istio-in-redirect'),
    rule('output', 'counter jump istio-output'),
    rule('istio-output', 'tcp dport 15020 counter return'),
    rule('istio-output', 'udp dport 15020 counter return'),
    rule('istio-output', 'oifname lo ip saddr 127.0.0.6/32 counter return'),
    rule('istio-output', 'oifname lo meta l4proto tcp ip daddr != 127.0.0.1/32 tcp dport != 15008 skuid 1337 counter jump istio-in-redirect'),
    rule('istio-output', 'oifname lo skuid != 1337 counter return'),
    rule('istio-output', 'skuid 1337 counter return'),
    rule('istio-output', 'oifname lo meta l4proto tcp ip daddr != 127.0.0.1/32 tcp dport != 15008 skgid 1337 counter jump istio-in-redirect'),
    rule('istio-output', 'oifname lo skgid != 1337 counter return'),
    rule('istio-output', 'skgid 1337 counter return'),
    rule('istio-output', 'ip daddr 127.0.0.1/32 counter return'),
    rule('istio-output', 'counter jump istio-redirect'),
    '',
  ].join('\n');
}

const sidecarBackendsOf = (spec: ExampleSpec, pod: PodSpec): ('iptables' | 'nftables')[] => pod.sidecarBackends ?? [spec.sidecarBackend ?? 'iptables'];

/** istio-iptables turns `traffic.sidecar.istio.io/excludeOutboundPorts` into RETURN rules (`-o`). */
const excludedOutboundPorts = (pod: PodSpec): string[] =>
  (pod.annotations?.['traffic.sidecar.istio.io/excludeOutboundPorts'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);

function sidecarPod(lab: Lab, spec: ExampleSpec, pod: PodSpec, ns: string): void {
  for (const backend of sidecarBackendsOf(spec, pod)) {
    if (backend === 'nftables') lab.run(ns, 'nft', ['-f', '-'], sidecarNft());
    else lab.run(ns, 'iptables-restore', ['--noflush'], sidecarRestore(excludedOutboundPorts(pod)));
  }
}

// ───────────────────────────── listeners ─────────────────────────────

interface Listener {
  process: string;
  uid: number;
  backlog: number;
  addrs: string[];
}

/** The listening sockets each kind of pod has, with the bind addresses the proxies' code uses for that version. */
export function listenersOf(spec: ExampleSpec, pod: PodSpec): Listener[] {
  const app: Listener[] = pod.appPorts.length && pod.mode !== 'ztunnel' && pod.mode !== 'waypoint'
    ? [{ process: pod.app, uid: pod.uid ?? 0, backlog: 128, addrs: pod.appPorts.map((p) => `0.0.0.0:${p}`) }]
    : [];
  const agent: Listener = { process: 'pilot-agent', uid: 1337, backlog: 4096, addrs: ['[::]:15020', '127.0.0.1:15004'] };
  switch (pod.mode) {
    case 'sidecar':
      return [{ process: 'envoy', uid: 1337, backlog: 1024, addrs: ['0.0.0.0:15001', '0.0.0.0:15006', '127.0.0.1:15000', '0.0.0.0:15021', '0.0.0.0:15090'] }, agent, ...app];
    case 'waypoint':
      return [{ process: 'envoy', uid: 1337, backlog: 1024, addrs: ['0.0.0.0:15008', '127.0.0.1:15000', '0.0.0.0:15021', '0.0.0.0:15090'] }, agent];
    case 'ztunnel':
      return [{ process: 'ztunnel', uid: 0, backlog: 1024, addrs: ztunnelOwnAddrs(spec) }];
    case 'ambient':
      return spec.ambient === 'node' || pod.ztunnelSockets === false ? app : [{ process: 'ztunnel', uid: 0, backlog: 1024, addrs: ztunnelInpodAddrs(spec) }, ...app];
    default:
      return app;
  }
}

/** ztunnel's sockets in its own pod: 1.18 proxies there; from 1.21 only admin, stats and readiness stay. */
function ztunnelOwnAddrs(spec: ExampleSpec): string[] {
  if (spec.ambient === 'node') return ['[::]:15001', '[::]:15006', '[::]:15008', '127.0.0.1:15080', '127.0.0.1:15000', '[::]:15020', '[::]:15021'];
  const admin = spec.ambient === 'inpod-redirect' ? ['127.0.0.1:15000', '[::1]:15000'] : ['127.0.0.1:15000'];
  return [...admin, '[::]:15020', '[::]:15021'];
}

/** ztunnel's per-pod sockets inside an in-pod ambient pod (1.21 still opens socks5 and binds DNS on [::]). */
function ztunnelInpodAddrs(spec: ExampleSpec): string[] {
  const proxies = ['[::]:15001', '[::]:15006', '[::]:15008'];
  return spec.ambient === 'inpod-tproxy' ? [...proxies, '127.0.0.1:15080', '[::]:15053'] : [...proxies, '127.0.0.1:15053', '[::1]:15053'];
}

const LISTEN_PY = `
import socket, sys, signal
backlog = int(sys.argv[1])
held = []
for a in sys.argv[2:]:
    host, port = a.rsplit(':', 1)
    v6 = host.startswith('[')
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host.strip('[]'), int(port)))
    s.listen(backlog)
    held.append(s)
signal.pause()
`;

/** The system interpreter: its standard library under /usr is readable by the unprivileged uids the listeners run as. */
const PYTHON = '/usr/bin/python3';

/** A copy of python3 named after the process, so `ss -p` shows the right name. */
function binary(lab: Lab, name: string): string {
  const target = path.join(lab.binDir, name);
  copyFileSync(realpathSync(PYTHON), target);
  return target;
}

function startListeners(lab: Lab, ns: string, listeners: Listener[], bins: Map<string, string>): void {
  for (const l of listeners) {
    if (!bins.has(l.process)) bins.set(l.process, binary(lab, l.process));
    const ids = [`--reuid=${l.uid}`, `--regid=${l.uid}`, '--clear-groups'];
    lab.start(ns, ['env', 'PYTHONHOME=/usr', 'setpriv', ...ids, bins.get(l.process)!, '-c', LISTEN_PY, String(l.backlog), ...l.addrs]);
  }
}

function waitForListeners(lab: Lab, ns: string, expected: number): void {
  const deadline = Date.now() + 15_000;
  while (lab.run(ns, 'ss', ['-Htln']).split('\n').filter(Boolean).length < expected) {
    if (Date.now() > deadline) throw new Error(`listeners in ${ns} did not come up (${expected} expected)`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

// ───────────────────────────── dumps ─────────────────────────────

/** `Thu Nov 27 10:00:00 2026`, the form iptables-save prints (ctime, UTC here). */
function ctime(iso: string): string {
  const d = new Date(iso);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const time = d.toISOString().slice(11, 19);
  return `${day} ${month} ${String(d.getUTCDate()).padStart(2, ' ')} ${time} ${d.getUTCFullYear()}`;
}

/** Pins the dates iptables-save stamps on its header and footer to the example's capture time. */
export function stampDates(save: string, iso: string = CAPTURED_AT): string {
  return save.replace(/^(# (?:Generated by iptables-save v\S+ \([^)]*\)|Completed) on ).*$/gm, `$1${ctime(iso)}`);
}

interface GeneveEnd {
  vni: number;
  remote: string;
}

/**
 * Rewrites the stand-in VXLAN entries into what `ip -d -j link` prints for a Geneve device created as
 * istio-cni creates it (id and remote only): iproute2's `geneve_print_opt` keys, the kernel's defaults
 * (ttl 0, port 6081, no UDP checksum, zero IPv6 rx checksum) and Geneve's MTU bounds.
 */
export function genevify(linkJson: string, ends: Record<string, GeneveEnd>): string {
  const links = JSON.parse(linkJson) as Record<string, unknown>[];
  for (const link of links) {
    const end = ends[link.ifname as string];
    if (!end) continue;
    link.min_mtu = 68;
    link.max_mtu = 65505;
    link.linkinfo = {
      info_kind: 'geneve',
      info_data: { id: end.vni, remote: end.remote, ttl: 0, port: GENEVE_PORT, udp_csum: false, udp_zero_csum6_rx: true },
    };
  }
  return `${JSON.stringify(links)}\n`;
}

/**
 * `<tool>-save -c`, with the counters zeroed just before: the examples carry no traffic, and what the
 * namespaces' own background packets (neighbour discovery, the tunnels' UDP) counted would only mislead.
 */
function counted(lab: Lab, ns: string, tool: 'iptables' | 'ip6tables'): string {
  const tables = [...lab.run(ns, `${tool}-save`, []).matchAll(/^\*(\S+)/gm)].map((m) => m[1]);
  if (!tables.length) return '';
  let save = '';
  // a packet may slip in between zeroing and saving; a few tries find a quiet moment
  for (let attempt = 0; attempt < 5 && (!save || /^\[[1-9]/m.test(save)); attempt++) {
    for (const table of tables) lab.run(ns, tool, ['-t', table, '-Z']);
    save = lab.run(ns, `${tool}-save`, ['-c']);
  }
  return save;
}

interface DumpOptions {
  nft: boolean;
  geneve?: Record<string, GeneveEnd>;
}

function dump(lab: Lab, ns: string, dir: string, opts: DumpOptions): void {
  mkdirSync(dir, { recursive: true });
  const put = (file: string, text: string): void => writeFileSync(path.join(dir, file), text);
  // Written even when empty, as a capture does: an empty dump says "no rules", a missing one "not captured".
  put('iptables-save.txt', stampDates(counted(lab, ns, 'iptables')));
  const save6 = counted(lab, ns, 'ip6tables');
  if (save6) put('ip6tables-save.txt', stampDates(save6));
  if (opts.nft) put('nft.json', lab.run(ns, 'nft', ['-j', 'list', 'ruleset']));
  const sets = lab.run(ns, 'ipset', ['save']);
  if (sets.trim()) put('ipset.txt', sets);
  put('ip-addr.json', lab.run(ns, 'ip', ['-j', 'addr']));
  const links = lab.run(ns, 'ip', ['-d', '-j', 'link']);
  put('ip-link.json', opts.geneve ? genevify(links, opts.geneve) : links);
  put('ip-rule.json', lab.run(ns, 'ip', ['-j', 'rule']));
  put('ip-route.json', lab.run(ns, 'ip', ['-j', 'route', 'show', 'table', 'all']));
  put('sockets.txt', lab.run(ns, 'ss', ['-Htlnpe']));
}

function nodeGeneve(spec: ExampleSpec, node: string): Record<string, GeneveEnd> | undefined {
  const zt = ztunnelOn(spec, node);
  if (spec.ambient !== 'node' || !zt) return undefined;
  return { istioin: { vni: TUN.istioin.vni, remote: zt.ip }, istioout: { vni: TUN.istioout.vni, remote: zt.ip } };
}

function podGeneve(spec: ExampleSpec, pod: PodSpec): Record<string, GeneveEnd> | undefined {
  if (spec.ambient !== 'node' || pod.mode !== 'ztunnel') return undefined;
  const hostIP = nodeGateway(spec, pod.node);
  return { pistioin: { vni: TUN.istioin.vni, remote: hostIP }, pistioout: { vni: TUN.istioout.vni, remote: hostIP } };
}

// ───────────────────────────── one example ─────────────────────────────

export function installRules(lab: Lab, spec: ExampleSpec, built: Built): void {
  for (const node of spec.nodes) {
    const ns = built.nodeNs.get(node.name)!;
    lab.run(ns, 'iptables-restore', ['--noflush'], kubeProxyRestore(spec, node.name));
    if (spec.ambient === 'node') ambientNode(lab, spec, built, node);
    else if (spec.ambient) inpodNode(lab, spec, ns, node);
  }
  for (const [pod, ns] of built.podNs) {
    if (pod.mode === 'sidecar') sidecarPod(lab, spec, pod, ns);
    else if (pod.mode === 'ambient' && spec.ambient && spec.ambient !== 'node' && pod.inpodRules !== false) inpodPod(lab, spec, pod, ns);
  }
}

function dumpAll(lab: Lab, spec: ExampleSpec, built: Built, outDir: string): void {
  for (const node of spec.nodes) {
    dump(lab, built.nodeNs.get(node.name)!, path.join(outDir, 'nodes', node.name), { nft: false, geneve: nodeGeneve(spec, node.name) });
  }
  for (const [pod, ns] of built.podNs) {
    const nft = pod.mode === 'sidecar' && sidecarBackendsOf(spec, pod).includes('nftables');
    dump(lab, ns, path.join(outDir, 'pods', pod.namespace, pod.name), { nft, geneve: podGeneve(spec, pod) });
  }
}

/** Builds `spec` in fresh namespaces, writes its kernel-made files under `outDir`, and always tears down. */
export function writeKernelFiles(spec: ExampleSpec, outDir: string): void {
  const lab = new Lab();
  try {
    const built = wire(lab, spec);
    installRules(lab, spec, built);
    const bins = new Map<string, string>();
    for (const [pod, ns] of built.podNs) {
      const listeners = listenersOf(spec, pod);
      startListeners(lab, ns, listeners, bins);
      waitForListeners(lab, ns, listeners.reduce((n, l) => n + l.addrs.length, 0));
    }
    rmSync(path.join(outDir, 'nodes'), { recursive: true, force: true });
    rmSync(path.join(outDir, 'pods'), { recursive: true, force: true });
    dumpAll(lab, spec, built, outDir);
  } finally {
    lab.teardown();
  }
}

