import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelUnavailable, TempNetns } from '../../support/netns.ts';
import { parseIptablesSave } from '../../../src/parse/iptables-save.ts';
import { parseIpsetSave } from '../../../src/parse/ipset.ts';
import type { Action, Match, Ruleset } from '../../../src/model/netfilter.ts';

const U32 = 0xffffffff;

/** Rules as written for iptables-restore, and the model their iptables-save form must parse to. */
const V4: [string, string, string, Match[], Action[]][] = [
  ['mangle', 'PREROUTING', '-s 10.0.0.1 -i veth+ -p tcp --dport 80:90 -j MARK --set-mark 0x100/0x100', [
    { kind: 'saddr', cidrs: ['10.0.0.1/32'] }, { kind: 'iif', names: ['veth+'] }, { kind: 'proto', protos: ['tcp'] }, { kind: 'dport', ranges: [[80, 90]] },
  ], [{ kind: 'mark', clear: 0x100, xor: 0x100 }]],
  ['mangle', 'PREROUTING', '-m mark ! --mark 0x539/0xfff -j MARK --or-mark 4', [{ negate: true, kind: 'mark', masked: { value: 0x539, mask: 0xfff } }], [{ kind: 'mark', clear: 4, xor: 4 }]],
  ['mangle', 'PREROUTING', '-j MARK --and-mark 4', [], [{ kind: 'mark', clear: 0xfffffffb, xor: 0 }]],
  ['mangle', 'PREROUTING', '-m connmark --mark 0x111/0xfff -j CONNMARK --restore-mark', [{ kind: 'connmark', masked: { value: 0x111, mask: 0xfff } }], [{ kind: 'connmark-restore', nfmask: U32, ctmask: U32 }]],
  ['mangle', 'PREROUTING', '-j CONNMARK --save-mark --mask 0xff', [], [{ kind: 'connmark-save', nfmask: 0xff, ctmask: 0xff }]],
  ['mangle', 'PREROUTING', '-j CONNMARK --set-mark 5/0xa', [], [{ kind: 'connmark-set', clear: 0xf, xor: 5 }]],
  ['mangle', 'PREROUTING', '-m comment --comment "a b \\"c\\" d" -j USER', [{ kind: 'comment', text: 'a b "c" d' }], [{ kind: 'jump', chain: 'USER' }]],
  ['mangle', 'PREROUTING', '-p tcp -m multiport ! --sports 53,15008:15010 -g USER', [{ kind: 'proto', protos: ['tcp'] }, { negate: true, kind: 'sport', ranges: [[53, 53], [15008, 15010]] }], [{ kind: 'goto', chain: 'USER' }]],
  ['mangle', 'PREROUTING', '-p tcp -j TPROXY --on-port 15006 --tproxy-mark 0x111', [{ kind: 'proto', protos: ['tcp'] }], [{ kind: 'tproxy', port: 15006, mark: { value: 0x111, mask: U32 } }]],
  ['mangle', 'PREROUTING', '-m addrtype ! --src-type LOCAL,UNICAST --dst-type LOCAL --limit-iface-in', [
    { negate: true, kind: 'addrtype', src: ['UNICAST', 'LOCAL'], limitIfaceIn: true }, { kind: 'addrtype', dst: ['LOCAL'], limitIfaceIn: true },
  ], []],
  ['mangle', 'PREROUTING', '-m conntrack --ctstate RELATED,ESTABLISHED -m state --state NEW', [{ kind: 'ctstate', states: ['RELATED', 'ESTABLISHED'] }, { kind: 'ctstate', states: ['NEW'] }], []],
  ['mangle', 'PREROUTING', '-m statistic --mode random --probability 0.25', [{ kind: 'statistic', mode: 'random', probability: 0.25 }], []],
  ['mangle', 'PREROUTING', '-m statistic --mode nth --every 3 --packet 1', [{ kind: 'statistic', mode: 'nth', every: 3, packet: 1 }], []],
  ['mangle', 'PREROUTING', '-p tcp -m socket --transparent --nowildcard --restore-skmark', [{ kind: 'proto', protos: ['tcp'] }, { kind: 'socket', transparent: true, nowildcard: true, restoreSkmark: true }], []],
  ['mangle', 'PREROUTING', '-m physdev --physdev-in eth0 --physdev-is-bridged', [{ kind: 'physdev', in: 'eth0', isBridged: true }], []],
  ['mangle', 'PREROUTING', '-p udp ! --dport 53 -j LOG --log-prefix "hello world "', [{ kind: 'proto', protos: ['udp'] }, { negate: true, kind: 'dport', ranges: [[53, 53]] }], [{ kind: 'log', prefix: 'hello world ' }]],
  ['mangle', 'PREROUTING', '-m length --length 100 -j TTL --ttl-set 5', [{ kind: 'unsupported', text: '-m length --length 100' }], [{ kind: 'unsupported', text: '-j TTL --ttl-set 5' }]],
  ['mangle', 'USER', '-j RETURN', [], [{ kind: 'return' }]],
  ['nat', 'PREROUTING', '-p tcp -j REDIRECT --to-port 15001', [{ kind: 'proto', protos: ['tcp'] }], [{ kind: 'redirect', ports: [15001, 15001] }]],
  ['nat', 'PREROUTING', '-p tcp -j DNAT --to-destination 10.0.0.1:80-90', [{ kind: 'proto', protos: ['tcp'] }], [{ kind: 'dnat', addr: '10.0.0.1', ports: [80, 90] }]],
  ['nat', 'OUTPUT', '-m owner --uid-owner 1337 ! --gid-owner 1000-2000 -j ACCEPT', [{ kind: 'uid', ranges: [[1337, 1337]] }, { negate: true, kind: 'gid', ranges: [[1000, 2000]] }], [{ kind: 'accept' }]],
  ['nat', 'OUTPUT', '-m owner --socket-exists -p tcp -m set --match-set probes dst -j ACCEPT', [{ kind: 'proto', protos: ['tcp'] }, { kind: 'socket-exists' }, { kind: 'set', name: 'probes', dirs: ['dst'] }], [{ kind: 'accept' }]],
  ['nat', 'POSTROUTING', '-j SNAT --to-source 169.254.7.127', [], [{ kind: 'snat', addr: '169.254.7.127' }]],
  ['nat', 'POSTROUTING', '-p tcp -j MASQUERADE --to-ports 1000-2000', [{ kind: 'proto', protos: ['tcp'] }], [{ kind: 'masquerade', ports: [1000, 2000] }]],
  ['raw', 'OUTPUT', '-p udp -m owner --uid-owner 1337 -j CT --zone 1', [{ kind: 'proto', protos: ['udp'] }, { kind: 'uid', ranges: [[1337, 1337]] }], [{ kind: 'ct', zone: 1 }]],
  ['raw', 'OUTPUT', '-j CT --notrack', [], [{ kind: 'ct', notrack: true }]],
  ['filter', 'INPUT', '-p tcp -j REJECT --reject-with tcp-reset', [{ kind: 'proto', protos: ['tcp'] }], [{ kind: 'reject', with: 'tcp-reset' }]],
  ['filter', 'INPUT', '-j REJECT', [], [{ kind: 'reject', with: 'icmp-port-unreachable' }]],
  ['filter', 'INPUT', '-p tcp', [{ kind: 'proto', protos: ['tcp'] }], []],
  ['security', 'OUTPUT', '-j DROP', [], [{ kind: 'drop' }]],
];

const V6: [string, string, string, Match[], Action[]][] = [
  ['nat', 'PREROUTING', '-s fd00::/64 ! -d ::1 -p tcp -j DNAT --to-destination [fd00::1]:80', [
    { kind: 'saddr', cidrs: ['fd00::/64'] }, { negate: true, kind: 'daddr', cidrs: ['::1/128'] }, { kind: 'proto', protos: ['tcp'] },
  ], [{ kind: 'dnat', addr: 'fd00::1', ports: [80, 80] }]],
  ['nat', 'POSTROUTING', '-j SNAT --to-source fd16:9254:7127:1337:ffff:ffff:ffff:ffff', [], [{ kind: 'snat', addr: 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff' }]],
  ['mangle', 'PREROUTING', '-p tcp -j TPROXY --on-port 15006 --on-ip ::1 --tproxy-mark 0x111/0xfff', [{ kind: 'proto', protos: ['tcp'] }], [{ kind: 'tproxy', port: 15006, ip: '::1', mark: { value: 0x111, mask: 0xfff } }]],
  ['filter', 'INPUT', '-p icmpv6 -j REJECT', [{ kind: 'proto', protos: ['ipv6-icmp'] }], [{ kind: 'reject', with: 'icmp6-port-unreachable' }]],
];

function restoreInput(rules: typeof V4): string {
  const tables = [...new Set(rules.map((r) => r[0]))];
  return tables.map((t) => [`*${t}`, ...(t === 'mangle' ? [':USER - [0:0]'] : []), ...rules.filter((r) => r[0] === t).map((r) => `-A ${r[1]} ${r[2]}`), 'COMMIT'].join('\n')).join('\n') + '\n';
}

/** Rules of each chain in order, without evidence and counters (which depend on the dump's layout). */
function shape(rs: Ruleset, family: string): Map<string, [Match[], Action[]][]> {
  const out = new Map<string, [Match[], Action[]][]>();
  for (const [key, c] of rs.chains) if (c.rules.length) out.set(key.replace(`${family}/`, ''), c.rules.map((r) => [r.matches, r.actions]));
  return out;
}

function expected(rules: typeof V4): Map<string, [Match[], Action[]][]> {
  const out = new Map<string, [Match[], Action[]][]>();
  for (const [t, c, , m, a] of rules) out.set(`${t}/${c}`, [...(out.get(`${t}/${c}`) ?? []), [m, a]]);
  return out;
}

function sorted<T>(m: Map<string, T>): [string, T][] {
  return [...m].sort((a, b) => a[0].localeCompare(b[0]));
}

for (const [tool, rules, family] of [['iptables', V4, 'ip'], ['ip6tables', V6, 'ip6']] as const) {
  for (const variant of ['', '-legacy']) {
    test(`${tool}${variant}-save output (plain and -c) parses to the exact model`, (t) => {
      const why = kernelUnavailable(['ip', 'ipset', `${tool}${variant}-save`, `${tool}${variant}-restore`]);
      if (why) return t.skip(why);
      const ns = new TempNetns();
      try {
        ns.run('ipset', ['create', 'probes', 'hash:ip']);
        ns.run(`${tool}${variant}-restore`, [], restoreInput(rules));
        for (const args of [[], ['-c']]) {
          const dump = ns.run(`${tool}${variant}-save`, args);
          const rs = parseIptablesSave(dump, 'iptables-save.txt', tool);
          assert.deepEqual(sorted(shape(rs, family)), sorted(expected(rules)));
          for (const c of rs.chains.values()) for (const r of c.rules) assert.equal(dump.split('\n')[r.evidence.line! - 1].endsWith(r.evidence.text!), true);
          assert.equal([...rs.chains.values()].every((c) => args.length === 0 || c.rules.every((r) => r.counters !== undefined)), true);
        }
      } finally {
        ns.dispose();
      }
    });
  }
}

test('ipset save from the kernel parses to the exact model', (t) => {
  const why = kernelUnavailable(['ip', 'ipset']);
  if (why) return t.skip(why);
  const ns = new TempNetns();
  try {
    ns.run('ipset', ['create', 'v4', 'hash:ip', 'family', 'inet', 'comment']);
    ns.run('ipset', ['add', 'v4', '10.244.1.5', 'comment', 'pod uid']);
    ns.run('ipset', ['create', 'v6', 'hash:net', 'family', 'inet6', 'counters']);
    ns.run('ipset', ['add', 'v6', 'fd00::/64']);
    ns.run('ipset', ['add', 'v6', 'fd00::/80', 'nomatch']);
    const sets = parseIpsetSave(ns.run('ipset', ['save']), 'ipset.txt');
    // hash sets list their members in hash order, so members are compared sorted
    assert.deepEqual([...sets.values()].map((s) => [s.name, s.type, s.family, s.members.map((m) => [m.value, m.nomatch ?? false]).sort()]), [
      ['v4', 'hash:ip', 'inet', [['10.244.1.5', false]]],
      ['v6', 'hash:net', 'inet6', [['fd00::/64', false], ['fd00::/80', true]]],
    ]);
  } finally {
    ns.dispose();
  }
});
