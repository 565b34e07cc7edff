/**
 * Replays the example scenarios in the lab: each example cluster is built in real namespaces by the
 * example generator's own code, captured through the `local` collector, traced by the engine, and
 * every leg of every trace is then sent for real and judged.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installRules, listenersOf, wire } from '../../scripts/examples/kernel.ts';
import { writeProxyFiles } from '../../scripts/examples/proxies.ts';
import type { ExampleSpec } from '../../scripts/examples/topology.ts';
import { computeTrace } from '../../src/cli/trace-run.ts';
import { readSnapshot } from '../../src/snapshot/read.ts';
import { writeSnapshot } from '../../src/snapshot/write.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { KernelLab, type Observation } from './lab.ts';
import { judge, legsOf, natRules, observedSide, rulesOf, type Judgement } from './judge.ts';

/** Ports ztunnel's proxies listen on; ztunnel sets IP_TRANSPARENT on them, which TPROXY requires. */
const ZTUNNEL_PROXY_PORTS = ['15001', '15006', '15008'];

export interface LegResult extends Judgement {
  example: string;
  trace: string;
  leg: number;
  title: string;
}

/** Builds `spec` in the lab with recording listeners and returns the lab and its captured snapshot. */
export async function buildExample(spec: ExampleSpec): Promise<{ lab: KernelLab; snapshot: Snapshot; dir: string }> {
  const lab = new KernelLab();
  const dir = mkdtempSync(path.join(os.tmpdir(), `istio-path-lab-${spec.name}-`));
  try {
    const built = wire(lab.lab, spec);
    installRules(lab.lab, spec, built);
    // a node forwards between its pods and the fabric, as every Kubernetes node does
    for (const ns of [built.fabric, ...built.nodeNs.values()]) lab.lab.run(ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    for (const [node, ns] of built.nodeNs) lab.adopt(`node:${node}`, ns);
    for (const [pod, ns] of built.podNs) {
      const id = `pod:${pod.namespace}/${pod.name}`;
      lab.adopt(id, ns);
      for (const l of listenersOf(spec, pod)) {
        const addrs = l.addrs.map((a) => (l.process === 'ztunnel' && ZTUNNEL_PROXY_PORTS.includes(a.slice(a.lastIndexOf(':') + 1)) ? `${a}:transparent` : a));
        await lab.listen(id, l.process, l.uid, addrs);
      }
    }
    await writeSnapshot(dir, await lab.capture());
    await writeProxyFiles(spec, dir);
    const meta = { format: 'istio-path-snapshot/v1', capturedAt: new Date().toISOString(), origin: 'lab', istio: { version: spec.istio }, notes: `fidelity lab build of examples/${spec.name}` };
    writeFileSync(path.join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    return { lab, snapshot: await readSnapshot(dir), dir };
  } catch (err) {
    lab.teardown();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Random choices (kube-proxy's `-m statistic`) are retried until the kernel takes the branch the engine walked. */
const STATISTIC_TRIES = 12;

/** Every leg of every trace of `spec`, predicted vs observed. */
export async function replayExample(spec: ExampleSpec): Promise<LegResult[]> {
  const { lab, snapshot, dir } = await buildExample(spec);
  try {
    const rules = rulesOf(snapshot);
    const nat = natRules(snapshot);
    const random = [...rules.values()].some((r) => r.matches.some((m) => m.kind === 'statistic'));
    const silent = { stdout: () => {}, stderr: () => {}, color: false } as unknown as Parameters<typeof computeTrace>[4];
    const out: LegResult[] = [];
    for (const [src, dst] of spec.traces) {
      const trace = computeTrace(snapshot, src, dst, {}, silent);
      const uid = spec.pods.find((p) => p.name === trace.source.pod)?.uid ?? 1000;
      for (const leg of legsOf(trace, snapshot, uid)) {
        // the branch taken shows in the nat counters: the predicted DNAT (or REDIRECT) rule must have fired
        const branch = random ? leg.predicted.fired.filter((k) => nat.has(k)) : [];
        let obs: Observation = lab.connect(leg.netns, leg.sender, leg.dst, leg.dport);
        for (let i = 1; i < STATISTIC_TRIES && branch.some((k) => !obs.fired.has(k)); i++) obs = lab.connect(leg.netns, leg.sender, leg.dst, leg.dport);
        const j = judge(leg.predicted, observedSide(obs, rules), rules, (k) => nat.has(k));
        out.push({ example: spec.name, trace: `${src} → ${dst}`, leg: leg.leg, title: leg.title, ...j });
      }
    }
    return out;
  } finally {
    lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}
