import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Hook, Ruleset } from '../../src/model/netfilter.ts';
import type { Packet } from '../../src/model/packet.ts';
import { evaluateHook, type NfContext } from '../../src/engine/netfilter/evaluate.ts';
import { parseIptablesSave } from '../../src/parse/iptables-save.ts';
import { CORPUS_ABSENT, corpusDir } from '../support/corpus.ts';
import { kernelUnavailable, TempNetns } from '../support/netns.ts';
import { loadNftGolden, NFT_GOLDEN_TOOLS } from '../support/nft-golden.ts';

/**
 * Istio writes the same capture rules for both backends. Loaded through the kernel and parsed, each
 * nft golden and its iptables twin must send every packet to the same verdict, destination and marks:
 * the proof that both parsers land on one model and the evaluator reads it one way.
 */

const TWINS: [nft: string, iptables: string][] = [
  ['nftables/ambient-inpod-master/default.golden', 'ambient-inpod-iptables/master/default.golden'],
  ['nftables/sidecar-master/basic-exclude-nic.golden', 'sidecar-iptables/master/basic-exclude-nic.golden'],
  ['nftables/sidecar-master/empty.golden', 'sidecar-iptables/master/empty.golden'],
];

const POD = '10.244.1.5';
const APP = { uid: 1000, gid: 1000 };
const PROXY = { uid: 1337, gid: 1337 };

interface Case {
  name: string;
  /** The peer and port: the destination on OUTPUT, the source on PREROUTING. */
  proto: 'tcp' | 'udp';
  peer: string;
  port: number;
  /** The other end's port (our local port). */
  local?: number;
  iface?: string;
  owner?: { uid: number; gid: number };
  mark?: number;
  connmark?: number;
  src?: string;
}

const CASES: Case[] = [
  { name: 'app to a remote service port', proto: 'tcp', peer: '10.96.0.10', port: 8080, owner: APP },
  { name: 'proxy uid 1337 to a remote pod', proto: 'tcp', peer: '10.244.2.7', port: 8080, owner: PROXY },
  { name: 'app to HBONE 15008', proto: 'tcp', peer: '10.244.2.7', port: 15008, owner: APP },
  { name: 'DNS over udp 53', proto: 'udp', peer: '10.96.0.10', port: 53, owner: APP },
  { name: 'DNS over tcp 53', proto: 'tcp', peer: '10.96.0.10', port: 53, owner: APP },
  { name: 'ztunnel-marked 0x539 tcp', proto: 'tcp', peer: '10.244.2.7', port: 15008, owner: PROXY, mark: 0x539 },
  { name: 'ztunnel-marked 0x539 DNS', proto: 'udp', peer: '10.96.0.10', port: 53, owner: PROXY, mark: 0x539 },
  { name: 'app with connmark 0x111', proto: 'tcp', peer: '10.96.0.10', port: 8080, owner: APP, connmark: 0x111 },
  { name: 'kubelet probe address', proto: 'tcp', peer: '169.254.7.127', port: 8080, owner: APP },
  { name: 'proxy over lo to the pod IP', proto: 'tcp', peer: POD, port: 8080, iface: 'lo', owner: PROXY },
  { name: 'proxy over lo to 15008', proto: 'tcp', peer: POD, port: 15008, iface: 'lo', owner: PROXY },
  { name: 'app over lo to the pod IP', proto: 'tcp', peer: POD, port: 8080, iface: 'lo', owner: APP },
  { name: 'app over lo to 127.0.0.1', proto: 'tcp', peer: '127.0.0.1', port: 8080, iface: 'lo', owner: APP, src: '127.0.0.1' },
  { name: 'inbound passthrough from 127.0.0.6', proto: 'tcp', peer: POD, port: 8080, iface: 'lo', owner: PROXY, src: '127.0.0.6' },
  { name: 'excluded interface', proto: 'tcp', peer: '10.96.0.10', port: 8080, iface: 'not-istio-nic', owner: APP },
];

/** OUTPUT sees the packet the app sends; PREROUTING the same flow arriving from the peer. */
function packetAt(hook: Hook, c: Case): { pkt: Packet; owner?: { uid: number; gid: number } } {
  const iface = c.iface ?? 'eth0';
  const base = { proto: c.proto, mark: c.mark ?? 0, connmark: c.connmark ?? 0, zone: 0 };
  if (hook === 'output') return { pkt: { ...base, src: c.src ?? POD, sport: c.local ?? 40000, dst: c.peer, dport: c.port, oif: iface }, owner: c.owner };
  return { pkt: { ...base, src: c.peer, sport: c.port, dst: c.src ?? POD, dport: c.local ?? 40000, iif: iface } };
}

function context(owner?: { uid: number; gid: number }): NfContext {
  return {
    localAddrs: [POD, '127.0.0.1'],
    ifaceAddr: (name) => (name === 'lo' ? '127.0.0.1' : POD),
    ...(owner ? { owner } : {}),
  };
}

function outcome(rulesets: Ruleset[], hook: Hook, c: Case) {
  const { pkt, owner } = packetAt(hook, c);
  const r = evaluateHook(rulesets, hook, pkt, context(owner));
  const p = r.packet;
  return {
    verdict: r.verdict,
    src: `${p.src}:${p.sport}`,
    dst: `${p.dst}:${p.dport}`,
    mark: p.mark,
    connmark: p.connmark,
    zone: p.zone,
    nat: r.nat?.kind,
    tproxy: r.tproxy,
    unsupported: r.unsupported.map((u) => u.text),
  };
}

/** The IPv4 part of a restore transcript: drop the recorded `iptables-save` probes, stop where a table repeats (the IPv6 blob). */
function ipv4Restore(transcript: string): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of transcript.split('\n')) {
    if (line === 'iptables-save' || line === 'ip6tables-save') continue;
    const table = /^\* ?(\S+)$/.exec(line)?.[1];
    if (table !== undefined && seen.has(table)) break;
    if (table !== undefined) seen.add(table);
    out.push(line);
  }
  return out.join('\n') + '\n';
}

const corpus = corpusDir();
const skip = corpus ? kernelUnavailable([...NFT_GOLDEN_TOOLS, 'iptables-restore', 'iptables-save']) : CORPUS_ABSENT;

for (const [nftGolden, iptGolden] of TWINS) {
  test(`parity: ${nftGolden} ≡ ${iptGolden}`, { skip }, () => {
    const nftNs = new TempNetns();
    const iptNs = new TempNetns();
    try {
      const nft = loadNftGolden(nftNs, readFileSync(path.join(corpus!, nftGolden), 'utf8'));
      iptNs.run('iptables-restore', [], ipv4Restore(readFileSync(path.join(corpus!, iptGolden), 'utf8')));
      const ipt = parseIptablesSave(iptNs.run('iptables-save', []), 'iptables-save.txt', 'iptables');
      for (const hook of ['output', 'prerouting'] as const) {
        for (const c of CASES) {
          const fromNft = outcome([nft], hook, c);
          assert.deepEqual(fromNft, outcome([ipt], hook, c), `${hook}: ${c.name}`);
          assert.deepEqual(fromNft.unsupported, [], `${hook}: ${c.name}`);
        }
      }
    } finally {
      nftNs.dispose();
      iptNs.dispose();
    }
  });
}
