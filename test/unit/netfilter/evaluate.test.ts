import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIptablesSave } from '../../../src/parse/iptables-save.ts';
import { evaluateHook, type NfContext } from '../../../src/engine/netfilter/evaluate.ts';
import type { Chain, Packet, Ruleset } from '../../../src/model/index.ts';

const pkt = (over: Partial<Packet> = {}): Packet => ({ proto: 'tcp', src: '10.244.1.5', sport: 43210, dst: '10.96.0.10', dport: 80, mark: 0, connmark: 0, zone: 0, ...over });

const ctx = (over: Partial<NfContext> = {}): NfContext => ({
  localAddrs: ['10.244.1.5', '127.0.0.1'],
  ifaceAddr: (name) => ({ eth0: '10.244.1.5', lo: '127.0.0.1' })[name],
  ...over,
});

const ipt = (text: string): Ruleset => parseIptablesSave(text, 'ipt.txt', 'iptables');

/** Where each step happened and what it did, in order. */
const trail = (r: ReturnType<typeof evaluateHook>): string[] => r.steps.map((s) => `${s.chainPath.join('>')}#${s.rule.index}:${s.action?.kind ?? '-'}`);

test('base chains run in priority order across tables; accept goes on to the next base chain', () => {
  const rs = ipt(`*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j LOG\nCOMMIT
*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j LOG\nCOMMIT
*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j LOG\nCOMMIT
*security\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j LOG\nCOMMIT
*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j ACCEPT\n-A OUTPUT -j DROP\nCOMMIT\n`);
  const r = evaluateHook([rs], 'output', pkt(), ctx());
  assert.equal(r.verdict, 'accept');
  assert.deepEqual(trail(r), ['raw/OUTPUT#0:log', 'mangle/OUTPUT#0:accept', 'nat/OUTPUT#0:log', 'filter/OUTPUT#0:log', 'security/OUTPUT#0:log']);
  assert.equal(r.policy?.chain.name, 'OUTPUT');
  assert.equal(r.policy?.chain.table, 'security');
});

test('a DROP policy ends the packet and names its chain', () => {
  const rs = ipt(`*filter\n:INPUT DROP [0:0]\n-A INPUT -p udp -j ACCEPT\nCOMMIT\n`);
  const r = evaluateHook([rs], 'input', pkt(), ctx());
  assert.deepEqual({ verdict: r.verdict, policy: r.policy?.chain.evidence.line, steps: r.steps.length }, { verdict: 'drop', policy: 2, steps: 0 });
  const rej = evaluateHook([ipt(`*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j REJECT --reject-with tcp-reset\n-A INPUT -j LOG\nCOMMIT\n`)], 'input', pkt(), ctx());
  assert.deepEqual([rej.verdict, rej.policy, trail(rej)], ['reject', undefined, ['filter/INPUT#0:reject']]);
});

test('jump, goto and RETURN: RETURN from a chain entered by goto returns to the caller of its caller', () => {
  const rs = ipt(`*mangle\n:PREROUTING ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n:C - [0:0]
-A PREROUTING -j A
-A PREROUTING -j MARK --set-xmark 0x1/0x1
-A A -j C
-A A -g B
-A A -j MARK --set-xmark 0x2/0x2
-A B -j RETURN
-A B -j MARK --set-xmark 0x4/0x4
-A C -j MARK --set-xmark 0x8/0x8
COMMIT\n`);
  const r = evaluateHook([rs], 'prerouting', pkt({ iif: 'eth0' }), ctx());
  assert.deepEqual(trail(r), ['mangle/PREROUTING#0:jump', 'mangle/PREROUTING>A#0:jump', 'mangle/PREROUTING>A>C#0:mark', 'mangle/PREROUTING>A#1:goto', 'mangle/PREROUTING>A>B#0:return', 'mangle/PREROUTING#1:mark']);
  assert.equal(r.packet.mark, 0x9);
});

test('RETURN in a base chain and the end of a goto chain apply the policy', () => {
  const rs = ipt(`*filter\n:FORWARD DROP [0:0]\n:G - [0:0]\n-A FORWARD -p udp -j RETURN\n-A FORWARD -g G\n-A FORWARD -j ACCEPT\n-A G -j LOG\nCOMMIT\n`);
  const udp = evaluateHook([rs], 'forward', pkt({ proto: 'udp' }), ctx());
  assert.deepEqual([udp.verdict, trail(udp)], ['drop', ['filter/FORWARD#0:return']]);
  const tcp = evaluateHook([rs], 'forward', pkt(), ctx());
  assert.deepEqual([tcp.verdict, tcp.policy?.chain.name, trail(tcp)], ['drop', 'FORWARD', ['filter/FORWARD#1:goto', 'filter/FORWARD>G#0:log']]);
});

test('MARK and CONNMARK arithmetic is the kernel one (32-bit unsigned)', () => {
  const rs = ipt(`*mangle\n:PREROUTING ACCEPT [0:0]
-A PREROUTING -j MARK --set-xmark 0x80000100/0x80000f00
-A PREROUTING -j CONNMARK --save-mark --nfmask 0xffff0000 --ctmask 0xff000000
-A PREROUTING -j MARK --xor-mark 0xffffffff
-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xf --ctmask 0xff
-A PREROUTING -j CONNMARK --set-xmark 0x111/0xfff
COMMIT\n`);
  const r = evaluateHook([rs], 'prerouting', pkt({ mark: 0xf000f0ff, connmark: 0x12345678 }), ctx());
  const marks = r.steps.map((s) => [s.after.mark, s.after.connmark]);
  // 1: (0xf000f0ff & ~0x80000f00) ^ 0x80000100 = 0xf000f1ff
  // 2: ct = (0x12345678 & ~0xff000000) ^ (0xf000f1ff & 0xffff0000) = 0x00345678 ^ 0xf0000000
  // 3: mark ^= 0xffffffff; 4: mark = (mark & ~0xf) ^ (ct & 0xff); 5: ct = (ct & ~0xfff) ^ 0x111
  assert.deepEqual(marks, [[0xf000f1ff, 0x12345678], [0xf000f1ff, 0xf0345678], [0x0fff0e00, 0xf0345678], [0x0fff0e78, 0xf0345678], [0x0fff0e78, 0xf0345111]]);
});

test('matches: marks with masks, interface wildcards, CIDR negation, port ranges', () => {
  const rs = ipt(`*mangle\n:PREROUTING ACCEPT [0:0]
-A PREROUTING -m mark --mark 0x100/0x100 -j LOG
-A PREROUTING -m mark ! --mark 0x539/0xfff -j LOG
-A PREROUTING -i veth+ -j LOG
-A PREROUTING -i eth+ -j LOG
-A PREROUTING ! -s 10.244.0.0/16 -j LOG
-A PREROUTING -d 10.96.0.0/12 -p tcp -m tcp --dport 79:81 -j LOG
-A PREROUTING -p tcp -m multiport ! --dports 53,15000:16000 -j LOG
-A PREROUTING -p udp -j LOG
-A PREROUTING -m connmark --mark 0x111/0xfff -j LOG
COMMIT\n`);
  const r = evaluateHook([rs], 'prerouting', pkt({ iif: 'veth1234', mark: 0xf539, connmark: 0x1111 }), ctx());
  assert.deepEqual(r.steps.map((s) => s.rule.index), [0, 2, 5, 6, 8]);
});

test('REDIRECT: incoming interface address on PREROUTING, loopback on OUTPUT, drop without an address', () => {
  const rs = ipt(`*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -j REDIRECT --to-ports 15006\n-A PREROUTING -j LOG\n-A OUTPUT -p tcp -j REDIRECT --to-ports 15001\nCOMMIT\n`);
  const pre = evaluateHook([rs], 'prerouting', pkt({ iif: 'eth0' }), ctx());
  assert.deepEqual([pre.verdict, pre.packet.dst, pre.packet.dport, pre.nat?.kind, pre.nat?.rule.index, pre.steps.length], ['accept', '10.244.1.5', 15006, 'redirect', 0, 1]);
  const out = evaluateHook([rs], 'output', pkt(), ctx());
  assert.deepEqual([out.packet.dst, out.packet.dport], ['127.0.0.1', 15001]);
  const none = evaluateHook([rs], 'prerouting', pkt({ iif: 'eth9' }), ctx());
  assert.equal(none.verdict, 'drop');
  const skipped = evaluateHook([rs], 'output', pkt(), ctx(), { skipNat: true });
  assert.deepEqual([skipped.steps.length, skipped.packet], [0, pkt()]);
});

test('DNAT and SNAT rewrite address and port; a range keeps a value already inside it', () => {
  const rs = ipt(`*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]
-A PREROUTING -d 10.96.0.10/32 -p tcp -j DNAT --to-destination 10.244.2.7:8080
-A PREROUTING -p tcp -j DNAT --to-destination 10.244.3.1-10.244.3.9:70-90
-A POSTROUTING -j SNAT --to-source 169.254.7.127
-A INPUT -j MASQUERADE
COMMIT\n`);
  const d = evaluateHook([rs], 'prerouting', pkt(), ctx());
  assert.deepEqual([d.packet.dst, d.packet.dport, d.nat?.kind], ['10.244.2.7', 8080, 'dnat']);
  const range = evaluateHook([rs], 'prerouting', pkt({ dst: '10.244.3.5' }), ctx());
  assert.deepEqual([range.packet.dst, range.packet.dport], ['10.244.3.5', 80]);
  const s = evaluateHook([rs], 'postrouting', pkt(), ctx());
  assert.deepEqual([s.packet.src, s.packet.sport, s.nat?.kind], ['169.254.7.127', 43210, 'snat']);
});

test('TPROXY sets the mark, assigns the socket and accepts; no transparent listener drops', () => {
  const rs = ipt(`*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -j TPROXY --on-port 15006 --on-ip 0.0.0.0 --tproxy-mark 0x111/0xfff\n-A PREROUTING -j LOG\nCOMMIT
*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j LOG\nCOMMIT\n`);
  const seen: Packet[] = [];
  const r = evaluateHook([rs], 'prerouting', pkt({ mark: 0xf000 }), ctx({ socketLookup: (p) => (seen.push(p), { found: true, transparent: true }) }));
  assert.deepEqual([r.verdict, r.packet.mark, r.tproxy, r.packet.dst, trail(r)], ['accept', 0xf111, { port: 15006 }, '10.96.0.10', ['mangle/PREROUTING#0:tproxy']]);
  assert.deepEqual([seen[0].dst, seen[0].dport], ['10.96.0.10', 15006]);
  const drop = evaluateHook([rs], 'prerouting', pkt(), ctx({ socketLookup: () => ({ found: true, transparent: false }) }));
  assert.equal(drop.verdict, 'drop');
});

test('owner matches only locally generated packets; a negated owner match holds without a socket, as in xt_owner', () => {
  const rs = ipt(`*nat\n:OUTPUT ACCEPT [0:0]\n:PREROUTING ACCEPT [0:0]
-A OUTPUT -m owner --uid-owner 1337 -j LOG
-A OUTPUT -m owner --gid-owner 1000-2000 -j LOG
-A OUTPUT -m owner ! --uid-owner 1337 -j LOG
-A OUTPUT -m owner --socket-exists -j LOG
-A PREROUTING -m owner ! --uid-owner 1337 -j LOG
-A PREROUTING -m owner --socket-exists -j LOG
COMMIT\n`);
  const local = evaluateHook([rs], 'output', pkt(), ctx({ owner: { uid: 1337, gid: 1500 } }));
  assert.deepEqual(local.steps.map((s) => s.rule.index), [0, 1, 3]);
  const fwd = evaluateHook([rs], 'prerouting', pkt({ iif: 'eth0' }), ctx());
  assert.deepEqual(fwd.steps.map((s) => s.rule.index), [0]);
});

test('statistic: the context decides, every rule met is reported', () => {
  const rs = ipt(`*nat\n:PREROUTING ACCEPT [0:0]
-A PREROUTING -m statistic --mode random --probability 0.5 -j DNAT --to-destination 10.0.0.1
-A PREROUTING -p udp -m statistic --mode random --probability 0.5 -j DNAT --to-destination 10.0.0.9
-A PREROUTING -m statistic --mode nth --every 2 --packet 0 -j DNAT --to-destination 10.0.0.2
-A PREROUTING -j DNAT --to-destination 10.0.0.3
COMMIT\n`);
  const byDefault = evaluateHook([rs], 'prerouting', pkt(), ctx());
  assert.deepEqual([byDefault.packet.dst, byDefault.decisions.map((r) => r.index)], ['10.0.0.1', [0]]);
  const notFirst = evaluateHook([rs], 'prerouting', pkt(), ctx({ decide: (r) => r.index !== 0 }));
  assert.deepEqual([notFirst.packet.dst, notFirst.decisions.map((r) => r.index)], ['10.0.0.2', [0, 2]]);
});

test('unsupported: a match makes the rule not match, a target lets the walk go on; both are reported', () => {
  const rs = ipt(`*mangle\n:PREROUTING ACCEPT [0:0]
-A PREROUTING -p udp -m length --length 100 -j DROP
-A PREROUTING -m length --length 100 -j DROP
-A PREROUTING -j TTL --ttl-set 5
-A PREROUTING -j MARK --set-xmark 0x1/0x1
COMMIT\n`);
  const r = evaluateHook([rs], 'prerouting', pkt(), ctx());
  assert.deepEqual([r.verdict, r.packet.mark], ['accept', 1]);
  assert.deepEqual(r.unsupported.map((u) => [u.rule.index, u.text]), [[1, '-m length --length 100'], [2, '-j TTL --ttl-set 5']]);
});

test('jump loops and over-deep chains stop the walk', () => {
  const loop = ipt(`*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n`);
  assert.deepEqual(evaluateHook([loop], 'input', pkt(), ctx()).loop, { chains: ['filter/INPUT', 'A', 'B', 'A'] });
  const gotoLoop = ipt(`*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -g B\n-A B -g A\nCOMMIT\n`);
  assert.deepEqual(evaluateHook([gotoLoop], 'input', pkt(), ctx()).loop, { chains: ['filter/INPUT', 'A', 'B', 'A'] });
  const names = Array.from({ length: 100 }, (_, i) => `C${i}`);
  const deep = ipt(`*filter\n:INPUT ACCEPT [0:0]\n${names.map((n) => `:${n} - [0:0]`).join('\n')}\n-A INPUT -j C0\n${names.slice(0, -1).map((n, i) => `-A ${n} -j C${i + 1}`).join('\n')}\nCOMMIT\n`);
  const r = evaluateHook([deep], 'input', pkt(), ctx());
  assert.equal(r.loop?.chains.length, 65);
});

test('ipsets, addrtype, conntrack state and CT zone/notrack', () => {
  const rs = ipt(`*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p udp -j CT --notrack\n-A PREROUTING -j CT --zone 2\nCOMMIT
*mangle\n:PREROUTING ACCEPT [0:0]
-A PREROUTING -m set --match-set pods src -j LOG
-A PREROUTING -m set --match-set pods dst -j LOG
-A PREROUTING -m addrtype --dst-type LOCAL -j LOG
-A PREROUTING -m addrtype ! --src-type LOCAL -j LOG
-A PREROUTING -m conntrack --ctstate NEW -j LOG
-A PREROUTING -m conntrack --ctstate UNTRACKED -j LOG
-A PREROUTING -m set --match-set missing dst -j LOG
COMMIT
*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j LOG\nCOMMIT\n`);
  const ipsets = new Map([['pods', { name: 'pods', type: 'hash:ip', family: 'inet' as const, members: [{ value: '10.244.1.5', evidence: { file: 'i' } }], evidence: { file: 'i' } }]]);
  const c = ctx({ ipsets, localAddrs: ['10.96.0.10'] });
  const tcp = evaluateHook([rs], 'prerouting', pkt({ iif: 'eth0' }), c);
  assert.deepEqual([trail(tcp), tcp.packet.zone], [['raw/PREROUTING#1:ct', 'mangle/PREROUTING#0:log', 'mangle/PREROUTING#2:log', 'mangle/PREROUTING#3:log', 'mangle/PREROUTING#4:log', 'nat/PREROUTING#0:log'], 2]);
  assert.deepEqual(tcp.unsupported.map((u) => u.text), ['-m set --match-set missing dst: ipset missing is not in the snapshot']);
  const udp = evaluateHook([rs], 'prerouting', pkt({ iif: 'eth0', proto: 'udp' }), c);
  assert.deepEqual(trail(udp), ['raw/PREROUTING#0:ct', 'raw/PREROUTING#1:ct', 'mangle/PREROUTING#0:log', 'mangle/PREROUTING#2:log', 'mangle/PREROUTING#3:log', 'mangle/PREROUTING#5:log']);
});

test('iptables, ip6tables and nftables together: family filter, priorities, one NAT mapping per hook', () => {
  const v4 = ipt(`*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-xmark 0x1/0x1\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -j REDIRECT --to-ports 15006\nCOMMIT\n`);
  const v6 = parseIptablesSave(`*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-xmark 0x2/0x2\nCOMMIT\n`, 'ip6.txt', 'ip6tables');
  const chain = (name: string, priority: number, type: 'filter' | 'nat', actions: Chain['rules'][number]['actions']): Chain => ({
    family: 'inet', table: 't', name, base: { hook: 'prerouting', priority, type, policy: 'accept' }, evidence: { file: 'nft.json' },
    rules: [{ chain: `inet/t/${name}`, index: 0, matches: [], actions, evidence: { file: 'nft.json' } }],
  });
  const nft: Ruleset = {
    backend: 'nftables', sets: new Map(), iptablesNftTables: [],
    chains: new Map([
      ['inet/t/early', chain('early', -200, 'filter', [{ kind: 'mark', clear: 0x4, xor: 0x4 }, { kind: 'counter' }])],
      ['inet/t/mid', chain('mid', -120, 'filter', [{ kind: 'mark', clear: 0x8, xor: 0x8 }])],
      ['inet/t/natlate', chain('natlate', -90, 'nat', [{ kind: 'dnat', addr: '10.0.0.1' }])],
      ['inet/t/natfirst', chain('natfirst', -110, 'nat', [{ kind: 'counter' }])],
    ]),
  };
  const r = evaluateHook([v4, v6, nft], 'prerouting', pkt({ iif: 'eth0' }), ctx());
  assert.deepEqual(trail(r), ['t/early#0:mark', 't/early#0:counter', 'mangle/PREROUTING#0:mark', 't/mid#0:mark', 't/natfirst#0:counter', 'nat/PREROUTING#0:redirect']);
  assert.deepEqual([r.packet.mark, r.packet.dst, r.nat?.kind], [0xd, '10.244.1.5', 'redirect']);
  const six = evaluateHook([v4, v6, nft], 'prerouting', pkt({ src: 'fd00::5', dst: 'fd00::10', iif: 'eth0' }), ctx());
  assert.deepEqual(trail(six), ['t/early#0:mark', 't/early#0:counter', 'mangle/PREROUTING#0:mark', 't/mid#0:mark', 't/natfirst#0:counter', 't/natlate#0:dnat']);
});
