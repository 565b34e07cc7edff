/**
 * The kernel side of the fidelity lab: real network namespaces on this machine, recording listeners
 * where proxies and apps listen, and real connections sent from a netns with a process's uid, SO_MARK
 * and IP_TRANSPARENT. Namespace building is the example generator's (`scripts/examples/kernel.ts`);
 * what the lab adds is observing traffic through it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectLocal } from '../../src/capture/strategies/local.ts';
import { parseIptablesSave } from '../../src/parse/iptables-save.ts';
import { parseNftJson } from '../../src/parse/nft-json.ts';
import type { Ruleset } from '../../src/model/netfilter.ts';
import { Lab } from '../../scripts/examples/kernel.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const LISTEN_PY = readFileSync(path.join(here, 'listen.py'), 'utf8');
const CONNECT_PY = readFileSync(path.join(here, 'connect.py'), 'utf8');
/** The system interpreter: its standard library under /usr is readable by the unprivileged uids. */
const PYTHON = '/usr/bin/python3';
/** Seconds a connection may take: every hop is on this machine, so only a dropped SYN takes this long. */
const CONNECT_TIMEOUT = 1;

/** One netns of the lab: its id and folder in the snapshot, its name in the kernel. */
export interface LabNetns {
  id: string;
  dir: string;
  name: string;
}

/** How a process opens a connection: what the kernel's owner match, fwmark rules and routing see. */
export interface Sender {
  uid: number;
  mark: number;
  transparent: boolean;
  /** Bound source address; the route's source when absent. */
  src?: string;
}

export interface Accept {
  netns: string;
  port: number;
  local: string;
  peer: string;
  originalDst: string;
}

export type ConnectResult = 'connected' | 'refused' | 'timeout' | 'unreachable' | 'error';

export interface Observation {
  result: ConnectResult;
  /** The errno name of a failed connect. */
  errno?: string;
  accepted?: Accept;
  /** Rules (by evidence key, `file:line` or `file#pointer`) whose packet counter moved. */
  fired: Set<string>;
}

/** Labs still standing, so an interrupt tears them down before the process ends. */
const standing = new Set<KernelLab>();
let trapped = false;
function trapSignals(): void {
  if (trapped) return;
  trapped = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      for (const lab of standing) lab.teardown();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

export const ruleKey = (e: { file: string; line?: number; pointer?: string }): string => (e.line !== undefined ? `${e.file}:${e.line}` : `${e.file}#${e.pointer}`);

export class KernelLab {
  readonly lab = new Lab();
  readonly netns = new Map<string, LabNetns>();
  private readonly log = path.join(this.lab.binDir, 'accepts.jsonl');
  private readonly listeners: ChildProcess[] = [];
  private readonly bins = new Map<string, string>();

  constructor() {
    trapSignals();
    standing.add(this);
    writeFileSync(this.log, '');
    chmodSync(this.log, 0o666);
  }

  /** Creates a netns standing for snapshot netns `id` (`node:…`, `pod:ns/name`). */
  add(id: string, role: string): LabNetns {
    return this.adopt(id, this.lab.netns(role));
  }

  /** Registers a netns the example builder already made. */
  adopt(id: string, name: string): LabNetns {
    const dir = id.startsWith('node:') ? `nodes/${id.slice(5)}` : `pods/${id.slice(4)}`;
    const ns = { id, dir, name };
    this.netns.set(id, ns);
    return ns;
  }

  private ns(id: string): LabNetns {
    const ns = this.netns.get(id);
    if (!ns) throw new Error(`the lab has no netns ${id}`);
    return ns;
  }

  run(id: string, cmd: string, args: string[], input?: string): string {
    return this.lab.run(this.ns(id).name, cmd, args, input);
  }

  /** A copy of python3 named `process`, so `ss -p` (and so the engine) sees that process name. */
  private binary(process: string): string {
    let bin = this.bins.get(process);
    if (!bin) {
      bin = path.join(this.lab.binDir, process);
      copyFileSync(realpathSync(PYTHON), bin);
      this.bins.set(process, bin);
    }
    return bin;
  }

  /** Starts a recording listener named `process` as `uid` on `addrs` (`ip:port`, `[::]:port`, `…:transparent`, `…:mark=N`). */
  async listen(id: string, process: string, uid: number, addrs: string[]): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', this.ns(id).name, 'env', 'PYTHONHOME=/usr', 'setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups',
      ...(uid === 0 ? [] : ['--inh-caps=+net_admin', '--ambient-caps=+net_admin']),
      this.binary(process), '-c', LISTEN_PY, this.log, id, ...addrs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.listeners.push(child);
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`listener ${process} in ${id} exited (${code}): ${err.trim()}`)));
    });
  }

  /** Every netns through the project's `local` collector: the lab's own snapshot files. */
  async capture(): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    for (const ns of this.netns.values()) {
      const got = await collectLocal({ kind: 'netns', name: ns.name }, ns.dir);
      if (got.failures.length) throw new Error(`capture of ${ns.id} failed: ${got.failures.map((f) => `${f.call}: ${f.error}`).join('; ')}`);
      for (const [k, v] of got.files) files.set(k, v);
    }
    return files;
  }

  /** Packet counters of every rule in every netns, keyed as the snapshot's evidence names them. */
  counters(): Map<string, number> {
    const out = new Map<string, number>();
    const add = (rs: Ruleset): void => {
      for (const chain of rs.chains.values()) for (const r of chain.rules) out.set(ruleKey(r.evidence), r.counters?.packets ?? 0);
    };
    for (const ns of this.netns.values()) {
      add(parseIptablesSave(this.lab.run(ns.name, 'iptables-save', ['-c']), `${ns.dir}/iptables-save.txt`, 'iptables'));
      add(parseNftJson(this.lab.run(ns.name, 'nft', ['-j', 'list', 'ruleset']), `${ns.dir}/nft.json`));
    }
    return out;
  }

  /** Opens one connection from netns `id` as `sender` and reports what the kernel did with it. */
  connect(id: string, sender: Sender, dst: string, port: number): Observation {
    const before = this.counters();
    const token = randomBytes(8).toString('hex');
    const privileged = sender.mark !== 0 || sender.transparent;
    const caps = privileged && sender.uid !== 0 ? ['--inh-caps=+net_admin,+net_raw', '--ambient-caps=+net_admin,+net_raw'] : [];
    const args = [String(port), token, '--timeout', String(CONNECT_TIMEOUT), ...(sender.mark ? ['--mark', String(sender.mark)] : []), ...(sender.transparent ? ['--transparent'] : []), ...(sender.src ? ['--bind', sender.src] : [])];
    const r = spawnSync('ip', ['netns', 'exec', this.ns(id).name, 'setpriv', `--reuid=${sender.uid}`, `--regid=${sender.uid}`, '--clear-groups', ...caps, PYTHON, '-c', CONNECT_PY, dst, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`connect from ${id} failed to run: ${r.stderr.trim()}`);
    const { result, errno } = JSON.parse(r.stdout) as { result: ConnectResult; errno?: string };
    const after = this.counters();
    const fired = new Set([...after].filter(([k, n]) => n > (before.get(k) ?? 0)).map(([k]) => k));
    const line = readFileSync(this.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Accept & { label: string; token: string }).find((a) => a.token === token);
    const accepted = line ? { netns: line.label, port: line.port, local: line.local, peer: line.peer, originalDst: line.originalDst } : undefined;
    return { result, ...(errno ? { errno } : {}), ...(accepted ? { accepted } : {}), fired };
  }

  teardown(): void {
    for (const l of this.listeners) l.kill('SIGKILL');
    this.lab.teardown();
    standing.delete(this);
  }
}

/** Why the lab cannot run here, or undefined when it can. */
export function labUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'skipped: the fidelity lab needs root to create network namespaces';
  for (const tool of ['ip', 'iptables-save', 'iptables-restore', 'nft', 'ipset', 'ss', 'setpriv', PYTHON]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `skipped: the fidelity lab needs ${tool} (apt-get install iptables nftables ipset iproute2 python3)`;
  }
  const probe = `ipxprobe${randomBytes(3).toString('hex')}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'skipped: this machine cannot create network namespaces';
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}
