/**
 * The randomized differential test: a seeded generator of valid rule sets, ip rules and routing
 * tables for one pod netns, and of connections into and out of it; each case is installed in the
 * lab, captured through the `local` collector, predicted by the engine's kernel walk and observed
 * on the kernel. The same seed always makes the same case, so a disagreement is replayable from its
 * seed alone, and every one found is kept under `regressions/`.
 */
import { mulberry32 as rng } from '../support/seeded.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSnapshot } from '../../src/snapshot/read.ts';
import { writeSnapshot } from '../../src/snapshot/write.ts';
import { KernelLab, type Sender } from './lab.ts';
import { judge, natRules, observedSide, predict, rulesOf, type Judgement, type Side } from './judge.ts';
import type { Rule } from '../../src/model/index.ts';

const countsFirstPacket = (r: Rule | undefined): boolean => !!r?.matches.some((m) => m.kind === 'ctstate' && !m.negate && m.states.length === 1 && m.states[0] === 'NEW');

export const POD = 'pod:lab/app';
export const NODE = 'node:lab-node';
const POD_IP = '10.244.1.5';
const GATEWAY = '10.244.1.1';
const NODE_IP = '172.18.0.2';

/** One connection of a case: opened in the pod (as the app or the proxy uid) or arriving from the node. */
export interface Connection {
  from: 'pod' | 'node';
  uid: number;
  mark: number;
  dst: string;
  dport: number;
}

export interface RandomCase {
  seed: number;
  /** iptables-restore input for the pod netns (every table it names is replaced). */
  rules: string;
  /** `ip rule add` arguments in the pod netns. */
  ipRules: string[][];
  /** `ip route add` arguments in the pod netns. */
  routes: string[][];
  connections: Connection[];
}

export interface CaseResult {
  case: RandomCase;
  connection: Connection;
  judgement: Judgement;
  /** The snapshot the prediction was made from, as the `local` collector captured it. */
  snapshot: Map<string, string>;
}

// ───────────────────────────── generator ─────────────────────────────


const MARKS: [number, number][] = [[0x100, 0x100], [0x111, 0xfff], [0x539, 0xfff], [0x400, 0xfff], [0x1, 0x1]];
const PORTS = [80, 8080, 15001, 15006, 15008, 9999];
const TPROXY_PORTS = [15001, 15006, 15008, 9999];
const CIDRS = [`${POD_IP}/32`, '127.0.0.1/32', '10.244.1.0/24', '172.18.0.0/16', `${GATEWAY}/32`];
const POD_DSTS = [POD_IP, '127.0.0.1', GATEWAY, NODE_IP];
const hex = (n: number): string => `0x${n.toString(16)}`;

type Dir = 'in' | 'out';

/** Built-in chains used, each with the direction of the packets it sees; user chains are dedicated to one built-in. */
const BUILTINS: { table: 'mangle' | 'nat' | 'filter'; chain: string; dir: Dir; own?: boolean }[] = [
  { table: 'mangle', chain: 'PREROUTING', dir: 'in', own: true },
  { table: 'mangle', chain: 'OUTPUT', dir: 'out', own: true },
  { table: 'mangle', chain: 'INPUT', dir: 'in' },
  { table: 'mangle', chain: 'POSTROUTING', dir: 'out' },
  { table: 'nat', chain: 'PREROUTING', dir: 'in', own: true },
  { table: 'nat', chain: 'OUTPUT', dir: 'out', own: true },
  { table: 'filter', chain: 'INPUT', dir: 'in', own: true },
  { table: 'filter', chain: 'OUTPUT', dir: 'out', own: true },
];

class Gen {
  constructor(readonly r: () => number) {}
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
}

function matches(g: Gen, dir: Dir, tcp: boolean, firstOnly: boolean): string[] {
  const out: string[] = [];
  if (tcp || g.chance(0.4)) out.push('-p tcp');
  const kinds = new Set<number>();
  for (let i = g.int(0, 2); i > 0; i--) kinds.add(g.int(0, 5));
  for (const kind of kinds) {
    const not = g.chance(0.3) ? '! ' : '';
    switch (kind) {
      case 0: out.push(`${not}-d ${g.pick(CIDRS)}`); break;
      case 1: out.push(`${not}-s ${g.pick(CIDRS)}`); break;
      case 2: if (out.includes('-p tcp')) out.push(`-m tcp ${not}--dport ${g.pick(PORTS)}`); break;
      case 3: { const [v, m] = g.pick(MARKS); out.push(`-m mark ${not}--mark ${hex(v)}/${hex(m)}`); break; }
      case 4: { const [v, m] = g.pick(MARKS); out.push(`-m connmark ${not}--mark ${hex(v)}/${hex(m)}`); break; }
      case 5:
        if (dir === 'out') out.push(g.chance(0.5) ? `-m owner ${not}--uid-owner 1337` : `${not}-o ${g.pick(['lo', 'eth0'])}`);
        else out.push(`${not}-i ${g.pick(['lo', 'eth0'])}`);
        break;
    }
  }
  if (firstOnly) out.push('-m conntrack --ctstate NEW');
  return [...new Set(out)];
}

function target(g: Gen, table: string, builtin: string, dir: Dir, userChains: string[]): { tcp: boolean; text: string } {
  const jump = userChains.length && g.chance(0.25) ? `-${g.chance(0.8) ? 'j' : 'g'} ${g.pick(userChains)}` : undefined;
  if (jump) return { tcp: false, text: jump };
  const [v, m] = g.pick(MARKS);
  const common = [{ tcp: false, text: '-j RETURN' }, { tcp: false, text: '-j ACCEPT' }];
  if (table === 'mangle') {
    const opts = [...common, { tcp: false, text: `-j MARK --set-xmark ${hex(v)}/${hex(m)}` }, { tcp: false, text: `-j MARK --set-xmark ${hex(v)}/${hex(m)}` },
      { tcp: false, text: '-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff' }, { tcp: false, text: '-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff' },
      { tcp: false, text: `-j CONNMARK --set-xmark ${hex(v)}/${hex(m)}` }];
    // TPROXY hands a connection only to an IP_TRANSPARENT socket, which `ss` cannot show: it targets the proxies' ports (or none)
    if (builtin === 'PREROUTING') opts.push({ tcp: true, text: `-j TPROXY --on-port ${g.pick(TPROXY_PORTS)}${g.chance(0.3) ? ' --on-ip 127.0.0.1' : ''} --tproxy-mark 0x111/0xfff` });
    if (g.chance(0.1)) return { tcp: false, text: '-j DROP' };
    return g.pick(opts);
  }
  if (table === 'nat') {
    const dnatTo = dir === 'out' ? [POD_IP, '127.0.0.1', GATEWAY, NODE_IP] : [POD_IP, '127.0.0.1'];
    return g.pick([...common, { tcp: true, text: `-j REDIRECT --to-ports ${g.pick(PORTS)}` }, { tcp: true, text: `-j REDIRECT --to-ports ${g.pick(PORTS)}` },
      { tcp: true, text: `-j DNAT --to-destination ${g.pick(dnatTo)}:${g.pick(PORTS)}` }]);
  }
  return g.pick([...common, { tcp: false, text: '-j DROP' }, { tcp: false, text: '-j REJECT' }]);
}

function ruleLines(g: Gen, table: string, chain: string, builtin: string, dir: Dir, userChains: string[], max: number): string[] {
  const lines: string[] = [];
  for (let i = g.int(0, max); i > 0; i--) {
    const t = target(g, table, builtin, dir, userChains);
    // Rules count only a connection's first packet (nat does by itself), so the kernel's counters name
    // exactly the rules the first packet took. Marks are the exception: they steer routing, and a mark
    // on the first packet only would send the rest of the connection elsewhere.
    const firstOnly = table !== 'nat' && !/-j (MARK|CONNMARK) /.test(t.text);
    lines.push(`-A ${chain} ${matches(g, dir, t.tcp, firstOnly).join(' ')} ${t.text}`);
  }
  return lines;
}

/** iptables-restore input: each table with its own user chains (`LAB_<CHAIN>` and a nested `LAB_<CHAIN>_2`). */
function ruleset(g: Gen): string {
  const out: string[] = [];
  for (const table of ['mangle', 'nat', 'filter'] as const) {
    const builtins = BUILTINS.filter((b) => b.table === table);
    const decl = builtins.flatMap((b) => (b.own ? [`LAB_${b.chain}`, `LAB_${b.chain}_2`] : []));
    const body = builtins.flatMap((b) => {
      const own = b.own ? [`LAB_${b.chain}`] : [];
      return [
        ...ruleLines(g, table, b.chain, b.chain, b.dir, own, 3),
        ...(b.own ? ruleLines(g, table, `LAB_${b.chain}`, b.chain, b.dir, [`LAB_${b.chain}_2`], 4) : []),
        ...(b.own ? ruleLines(g, table, `LAB_${b.chain}_2`, b.chain, b.dir, [], 3) : []),
      ];
    });
    out.push(`*${table}`, ...decl.map((c) => `:${c} - [0:0]`), ...body, 'COMMIT');
  }
  return `${out.join('\n')}\n`;
}

const TABLE_ROUTES: string[][] = [['local', '0.0.0.0/0', 'dev', 'lo'], ['default', 'via', GATEWAY, 'dev', 'eth0', 'onlink'], ['unreachable', 'default'], ['blackhole', 'default'], ['prohibit', 'default']];

export function generateCase(seed: number): RandomCase {
  const g = new Gen(rng(seed));
  const ipRules: string[][] = [];
  const routes: string[][] = [];
  for (const table of [100, 101]) if (g.chance(0.7)) routes.push([...g.pick(TABLE_ROUTES), 'table', String(table)]);
  for (let i = g.int(0, 2); i > 0; i--) {
    const [v, m] = g.pick(MARKS);
    ipRules.push(['pref', String(100 + ipRules.length), 'fwmark', `${hex(v)}/${hex(m)}`, 'lookup', String(g.pick([100, 101]))]);
  }
  const connections: Connection[] = [];
  for (let i = 0; i < 3; i++) {
    if (g.chance(0.3)) connections.push({ from: 'node', uid: 0, mark: 0, dst: POD_IP, dport: g.pick(PORTS) });
    else connections.push({ from: 'pod', uid: g.pick([1000, 1337]), mark: g.chance(0.2) ? g.pick(MARKS)[0] : 0, dst: g.pick(POD_DSTS), dport: g.pick(PORTS) });
  }
  return { seed, rules: ruleset(g), ipRules, routes, connections };
}

// ───────────────────────────── the lab side ─────────────────────────────

const K8S = {
  'k8s/pods.json': { apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'app', namespace: 'lab' }, spec: { nodeName: 'lab-node', containers: [{ name: 'app' }] }, status: { phase: 'Running', podIP: POD_IP, podIPs: [{ ip: POD_IP }] } }] },
  'k8s/nodes.json': { apiVersion: 'v1', kind: 'NodeList', items: [{ metadata: { name: 'lab-node' }, spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] }, status: { addresses: [{ type: 'InternalIP', address: NODE_IP }] } }] },
};

/** One node and one pod joined by a veth as kindnet joins them; listeners on both; IPv6 off so nothing else moves a counter. */
export class DifferentialLab {
  readonly lab = new KernelLab();
  private installed: RandomCase | undefined;

  async start(): Promise<void> {
    const k = this.lab;
    const node = k.add(NODE, 'node');
    const pod = k.add(POD, 'pod');
    for (const ns of [node, pod]) k.run(ns.id, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv4.ip_unprivileged_port_start=0']);
    k.lab.ip(node.name, 'link', 'add', 'name', 'vethlab0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.name);
    for (const [ns, dev] of [[node.name, 'lo'], [node.name, 'vethlab0'], [pod.name, 'lo'], [pod.name, 'eth0']]) k.lab.ip(ns, 'link', 'set', dev, 'up');
    k.lab.ip(node.name, 'addr', 'add', `${GATEWAY}/32`, 'dev', 'vethlab0');
    // the node's own address; this kernel has no dummy devices, and on lo it is just as local
    k.lab.ip(node.name, 'addr', 'add', `${NODE_IP}/32`, 'dev', 'lo');
    k.lab.ip(node.name, 'route', 'add', POD_IP, 'dev', 'vethlab0', 'scope', 'host');
    k.lab.ip(pod.name, 'addr', 'add', `${POD_IP}/24`, 'dev', 'eth0', 'noprefixroute');
    k.lab.ip(pod.name, 'route', 'add', GATEWAY, 'dev', 'eth0', 'scope', 'link', 'src', POD_IP);
    k.lab.ip(pod.name, 'route', 'add', 'default', 'via', GATEWAY, 'dev', 'eth0');
    k.run(NODE, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    await k.listen(NODE, 'node-app', 0, ['0.0.0.0:80', '0.0.0.0:8080', '0.0.0.0:15001', '0.0.0.0:15006']);
    await k.listen(POD, 'app', 1000, ['0.0.0.0:80', '0.0.0.0:8080']);
    // a listener with SO_MARK, whose SYN-ACKs carry its mark; no random case aims at 8443
    await k.listen(POD, 'marked-app', 1000, ['0.0.0.0:8443:mark=0x1']);
    // TPROXY hands connections only to transparent sockets; `ss` cannot show the option, so every proxy port has it
    await k.listen(POD, 'envoy', 1337, ['0.0.0.0:15001:transparent', '0.0.0.0:15006:transparent']);
    await k.listen(POD, 'ztunnel', 0, ['0.0.0.0:15008:transparent']);
  }

  private install(c: RandomCase): void {
    const k = this.lab;
    if (this.installed) {
      for (const r of this.installed.ipRules) k.lab.ip(k.netns.get(POD)!.name, 'rule', 'del', ...r);
      for (const t of new Set(this.installed.routes.map((r) => r.at(-1)!))) k.run(POD, 'ip', ['route', 'flush', 'table', t]);
    }
    // iptables-restore replaces only the tables its input names: empty the others first
    k.run(POD, 'iptables-restore', [], '*raw\nCOMMIT\n*mangle\nCOMMIT\n*nat\nCOMMIT\n*filter\nCOMMIT\n');
    k.run(POD, 'iptables-restore', [], c.rules);
    for (const r of c.routes) k.lab.ip(k.netns.get(POD)!.name, 'route', 'add', ...r);
    for (const r of c.ipRules) k.lab.ip(k.netns.get(POD)!.name, 'rule', 'add', ...r);
    this.installed = c;
  }

  /** Installs `c`, captures and predicts with the engine, then sends each connection and judges it. */
  async run(c: RandomCase): Promise<CaseResult[]> {
    this.install(c);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'istio-path-lab-random-'));
    try {
      const files = await this.lab.capture();
      files.set('meta.json', JSON.stringify({ format: 'istio-path-snapshot/v1', origin: 'lab', notes: `randomized differential case, seed ${c.seed}` }));
      for (const [f, v] of Object.entries(K8S)) files.set(f, JSON.stringify(v));
      await writeSnapshot(dir, files);
      const snapshot = await readSnapshot(dir);
      const rules = rulesOf(snapshot);
      const nat = natRules(snapshot);
      return c.connections.map((conn) => {
        const { netns, sender } = senderOf(conn);
        const predicted = predict(snapshot, netns, sender, conn.dst, conn.dport);
        const observed = observedSide(this.lab.connect(netns, sender, conn.dst, conn.dport), rules);
        return { case: c, connection: conn, judgement: judge(predicted, observed, rules, (k) => nat.has(k) || countsFirstPacket(rules.get(k))), snapshot: files };
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  stop(): void {
    this.lab.teardown();
  }
}

/**
 * A disagreement as kept under `regressions/`: the case, which connection, what the kernel did, what
 * differed when it was found, and the snapshot the engine predicted from, so the engine side replays
 * without a kernel.
 */
export interface Regression {
  title: string;
  case: RandomCase;
  connection: number;
  observed: Side;
  found: string[];
  /** Why the engine still disagrees, while the fix is open; absent once engine and kernel agree. */
  open?: string;
  snapshot: Record<string, string>;
}

export function writeRegression(dir: string, r: CaseResult, name = `seed-${r.case.seed}-${r.case.connections.indexOf(r.connection)}`, title?: string, open?: string): string {
  const index = r.case.connections.indexOf(r.connection);
  const file = path.join(dir, `${name}.json`);
  const reg: Regression = {
    title: title ?? `seed ${r.case.seed}, connection ${index}`, case: r.case, connection: index, observed: r.judgement.observed, ...(open ? { open } : {}),
    found: r.judgement.differences, snapshot: Object.fromEntries([...r.snapshot].sort(([a], [b]) => a.localeCompare(b))),
  };
  writeFileSync(file, `${JSON.stringify(reg, null, 2)}\n`);
  return file;
}

export function senderOf(conn: Connection): { netns: string; sender: Sender } {
  return { netns: conn.from === 'pod' ? POD : NODE, sender: { uid: conn.uid, mark: conn.mark, transparent: false } };
}
