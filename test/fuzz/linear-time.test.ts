import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../support/corpus.ts';
import { run } from './support/outcome.ts';
import { targetNamed } from './support/targets.ts';

/**
 * No parser backtracks or loops quadratically on crafted input: each adversarial input of about 5 MB
 * (one huge field, a long run of a character a pattern treats specially) is parsed in a time within a
 * small factor of a normal input of the same size, made by repeating an example file's records.
 */
const SIZE = 5 << 20;
/** Generous, so a busy CI machine does not fail the test; a backtracking pattern is off by orders of magnitude. */
const MAX_RATIO = 8;

const example = (rel: string) => readFileSync(path.join(projectRoot, 'examples', rel), 'utf8');
const big = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
const fill = (make: (filler: string) => string) => make(big('a').slice(0, SIZE - make('').length));
/** A JSON array of `item` repeated to about SIZE. */
const jsonArray = (item: string) => `[${Array(Math.ceil(SIZE / (item.length + 1))).fill(item).join(',')}]`;

const POD = 'ambient-1.24-inpod/pods/default';

interface Case {
  target: string;
  name: string;
  normal: () => string;
  adversarial: () => string;
}

const repeatLines = (line: string) => line.repeat(Math.floor(SIZE / line.length));
const iptablesRules = () => `*mangle\n:PREROUTING ACCEPT [0:0]\n${repeatLines('-A PREROUTING -p tcp -m tcp --dport 15008 -m comment --comment "ztunnel: inbound" -j MARK --set-xmark 0x539/0xfff\n')}COMMIT\n`;
const ipsetText = () => {
  const lines = Array.from({ length: SIZE / 48 }, (_, i) => `add ztunnel-pods-ips 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  return `create ztunnel-pods-ips hash:ip family inet hashsize 1024 maxelem 65536\n${lines.join('\n')}\n`;
};
const socketsText = () => repeatLines('LISTEN 0      4096   0.0.0.0:15001      0.0.0.0:*    users:(("envoy",pid=10880,fd=5)) uid:1337 ino:291269 sk:165\n');
const nftText = (rule: string) => `{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "inet", "name": "t"}}, {"chain": {"family": "inet", "table": "t", "name": "c"}}, ${rule}]}`;
const nftRule = '{"rule": {"family": "inet", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 15008}}, {"accept": null}]}}';
const addr = (ifname: string) => `{"ifindex": 2, "ifname": "${ifname}", "addr_info": [{"family": "inet", "local": "10.244.1.5", "prefixlen": 24}]}`;
const route = (dev: string) => `{"dst": "10.244.1.0/24", "dev": "${dev}", "scope": "link", "flags": []}`;
const workload = (name: string) => `{"uid": "u-${name.length}", "name": "${name}", "namespace": "default", "workloadIps": ["10.244.1.5"], "protocol": "HBONE"}`;
const podItem = (name: string) => `{"metadata": {"name": "${name}", "namespace": "default", "labels": {"app": "sleep"}}, "spec": {"nodeName": "node-a"}, "status": {"podIP": "10.244.1.5"}}`;

const CASES: Case[] = [
  { target: 'iptables-save', name: 'a 5 MB --comment', normal: iptablesRules, adversarial: () => fill((x) => `*mangle\n-A PREROUTING -m comment --comment "${x}" -j ACCEPT\nCOMMIT\n`) },
  { target: 'iptables-save', name: 'a 5 MB unterminated quote', normal: iptablesRules, adversarial: () => fill((x) => `*mangle\n-A PREROUTING -m comment --comment "${x}\nCOMMIT\n`) },
  { target: 'iptables-save', name: '5 MB of negations', normal: iptablesRules, adversarial: () => `*nat\n-A PREROUTING ${big('! ')}-j ACCEPT\nCOMMIT\n` },
  { target: 'ipset', name: 'a 5 MB comment', normal: ipsetText, adversarial: () => fill((x) => `create s hash:ip family inet comment\nadd s 10.0.0.1 comment "${x}"\n`) },
  { target: 'sockets', name: 'a 5 MB run of %', normal: socketsText, adversarial: () => `LISTEN 0 4096 ${big('%')}:15001 0.0.0.0:*\n` },
  { target: 'sockets', name: 'a 5 MB process name', normal: socketsText, adversarial: () => fill((x) => `LISTEN 0 4096 0.0.0.0:15001 0.0.0.0:* users:(("${x}",pid=1,fd=2))\n`) },
  { target: 'sockets', name: '5 MB of backslashes in users:', normal: socketsText, adversarial: () => `LISTEN 0 4096 0.0.0.0:15001 0.0.0.0:* users:(("${big('\\\\')}\n` },
  { target: 'nft-json', name: 'a 5 MB chain name', normal: () => nftText(Array(Math.ceil(SIZE / nftRule.length)).fill(nftRule).join(', ')), adversarial: () => fill((x) => nftText(`{"chain": {"family": "inet", "table": "t", "name": "${x}"}}`)) },
  { target: 'ip-addr', name: 'a 5 MB interface name', normal: () => jsonArray(addr('eth0')), adversarial: () => fill((x) => `[${addr(x)}]`) },
  { target: 'ip-route', name: 'a 5 MB device name', normal: () => jsonArray(route('eth0')), adversarial: () => fill((x) => `[${route(x)}]`) },
  { target: 'ip-route', name: 'a 5 MB destination', normal: () => jsonArray(route('eth0')), adversarial: () => fill((x) => `[{"dst": "10.${x}"}]`) },
  { target: 'k8s-pods', name: 'a 5 MB pod name', normal: () => `{"kind": "List", "items": ${jsonArray(podItem('sleep-1'))}}`, adversarial: () => fill((x) => `{"kind": "List", "items": [${podItem(x)}]}`) },
  { target: 'ztunnel-config-dump', name: 'a 5 MB workload name', normal: () => `{"workloads": ${jsonArray(workload('sleep-1'))}, "services": []}`, adversarial: () => fill((x) => `{"workloads": [${workload(x)}], "services": []}`) },
  { target: 'envoy-config-dump', name: 'a 5 MB listener name', normal: () => envoyNormal(), adversarial: () => fill((x) => `{"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", "dynamic_listeners": [{"name": "${x}", "active_state": {"listener": {"name": "${x.slice(0, 10)}", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 15001}}}}}]}]}`) },
];

/** An example sidecar dump whose listeners are repeated to about SIZE. */
function envoyNormal(): string {
  const dump = JSON.parse(example(`${POD}/${sidecarPod()}/envoy-config-dump.json`)) as { configs: { dynamic_listeners?: unknown[] }[] };
  const listeners = dump.configs.find((c) => c.dynamic_listeners)!;
  const one = JSON.stringify(listeners.dynamic_listeners);
  listeners.dynamic_listeners = Array(Math.ceil(SIZE / one.length)).fill(listeners.dynamic_listeners).flat();
  return JSON.stringify(dump);
}

function sidecarPod(): string {
  const pods = JSON.parse(readFileSync(path.join(projectRoot, 'examples/ambient-1.24-inpod/k8s/pods.json'), 'utf8')) as { items: { metadata: { name: string; namespace: string } }[] };
  return pods.items.map((p) => p.metadata).find((m) => m.namespace === 'default' && readable(`${POD}/${m.name}/envoy-config-dump.json`))!.name;
}

function readable(rel: string): boolean {
  try {
    readFileSync(path.join(projectRoot, 'examples', rel));
    return true;
  } catch {
    return false;
  }
}

/** The parser alone (the faster of `runs`, so one garbage collection does not decide the ratio); then the outcome, checked. */
function time(name: string, text: string, runs: number): { ms: number; outcome: string } {
  const target = targetNamed(name);
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    try {
      target.parse(text, target.file);
    } catch {
      // The outcome below says whether the error was the expected kind.
    }
    best = Math.min(best, performance.now() - start);
  }
  const o = run(target, text);
  return { ms: best, outcome: o.kind === 'crash' ? `crash: ${o.error.slice(0, 200)}` : o.kind };
}

describe('linear time on 5 MB adversarial input', () => {
  const ratios: { name: string; ratio: number }[] = [];
  /** Several adversarial cases share one normal input; it is timed once. */
  const normals = new Map<() => string, { ms: number; outcome: string }>();
  for (const c of CASES) {
    it(`${c.target}: ${c.name}`, (t) => {
      const normal = normals.has(c.normal) ? '' : c.normal();
      const adversarial = c.adversarial();
      const n = normals.get(c.normal) ?? time(c.target, normal, 1);
      normals.set(c.normal, n);
      const a = time(c.target, adversarial, 2);
      const ratio = a.ms / n.ms;
      ratios.push({ name: `${c.target}: ${c.name}`, ratio });
      t.diagnostic(`${(adversarial.length / 2 ** 20).toFixed(1)} MB adversarial ${a.ms.toFixed(1)} ms (${a.outcome}); ${normal ? `${(normal.length / 2 ** 20).toFixed(1)} MB ` : ''}normal ${n.ms.toFixed(1)} ms (${n.outcome}); ratio ${ratio.toFixed(2)}`);
      assert.equal(n.outcome, 'ok');
      assert.ok(!a.outcome.startsWith('crash'), a.outcome);
      assert.ok(ratio < MAX_RATIO, `adversarial input took ${ratio.toFixed(1)}× the time of a normal one`);
    });
  }
  it('reports the slowest ratio', (t) => {
    const slowest = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a), { name: 'none', ratio: 0 });
    t.diagnostic(`slowest adversarial ÷ normal: ${slowest.ratio.toFixed(2)} (${slowest.name})`);
    assert.equal(ratios.length, CASES.length);
  });
});
