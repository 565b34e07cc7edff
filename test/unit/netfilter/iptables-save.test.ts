import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIptablesSave } from '../../../src/parse/iptables-save.ts';
import { tokenize } from '../../../src/parse/iptables/tokenize.ts';
import { InputError } from '../../../src/model/evidence.ts';
import type { Action, Match, Ruleset } from '../../../src/model/netfilter.ts';

const U32 = 0xffffffff;

/** One rule in a minimal dump of `table`, parsed; returns its matches and actions. */
function rule(table: string, chain: string, text: string, backend: 'iptables' | 'ip6tables' = 'iptables'): { matches: Match[]; actions: Action[] } {
  const dump = `*${table}\n:${chain} ACCEPT [0:0]\n:USER - [0:0]\n-A ${chain} ${text}\nCOMMIT\n`;
  const rs = parseIptablesSave(dump, 'f.txt', backend);
  const r = [...rs.chains.values()].find((c) => c.name === chain)!.rules[0];
  return { matches: r.matches, actions: r.actions };
}

test('tokenize follows iptables-restore quoting', () => {
  const cases: [string, string[] | undefined][] = [
    ['-A X -j ACCEPT', ['-A', 'X', '-j', 'ACCEPT']],
    ['-m comment --comment "a b"  -j X', ['-m', 'comment', '--comment', 'a b', '-j', 'X']],
    ['--comment "say \\"hi\\" \\\\ ok"', ['--comment', 'say "hi" \\ ok']],
    ['--comment ""', ['--comment', '']],
    ['a"b c"d', ['ab cd']],
    ['--comment "open', undefined],
  ];
  for (const [line, want] of cases) assert.deepEqual(tokenize(line), want, line);
});

const MATCHES: [string, string, Match[], ('iptables' | 'ip6tables')?][] = [
  ['addresses and interfaces', '-s 10.0.0.1/32 -d 10.1.0.0/16 -i veth+ -o eth0', [
    { kind: 'saddr', cidrs: ['10.0.0.1/32'] }, { kind: 'daddr', cidrs: ['10.1.0.0/16'] }, { kind: 'iif', names: ['veth+'] }, { kind: 'oif', names: ['eth0'] },
  ]],
  ['negated core options', '! -s 1.2.3.0/24 ! -i lo ! -p udp', [
    { negate: true, kind: 'saddr', cidrs: ['1.2.3.0/24'] }, { negate: true, kind: 'iif', names: ['lo'] }, { negate: true, kind: 'proto', protos: ['udp'] },
  ]],
  ['IPv6 addresses', '-s fd00::/64 ! -d ::1/128', [{ kind: 'saddr', cidrs: ['fd00::/64'] }, { negate: true, kind: 'daddr', cidrs: ['::1/128'] }], 'ip6tables'],
  ['ipv6-icmp and numeric protocols', '-p 58', [{ kind: 'proto', protos: ['ipv6-icmp'] }], 'ip6tables'],
  ['tcp ports and ranges', '-p tcp -m tcp --sport 1000 --dport 80:90', [
    { kind: 'proto', protos: ['tcp'] }, { kind: 'sport', ranges: [[1000, 1000]] }, { kind: 'dport', ranges: [[80, 90]] },
  ]],
  ['open port ranges', '-p udp -m udp --dport :1023 ! --sport 1024:', [
    { kind: 'proto', protos: ['udp'] }, { kind: 'dport', ranges: [[0, 1023]] }, { negate: true, kind: 'sport', ranges: [[1024, 65535]] },
  ]],
  ['implicit protocol match', '-p tcp ! --dport 15008', [{ kind: 'proto', protos: ['tcp'] }, { negate: true, kind: 'dport', ranges: [[15008, 15008]] }]],
  ['multiport lists', '-p tcp -m multiport ! --dports 53,15008:15010 -m multiport --sports 1,2', [
    { kind: 'proto', protos: ['tcp'] }, { negate: true, kind: 'dport', ranges: [[53, 53], [15008, 15010]] }, { kind: 'sport', ranges: [[1, 1], [2, 2]] },
  ]],
  ['multiport --ports is outside the model', '-p tcp -m multiport --ports 80', [{ kind: 'proto', protos: ['tcp'] }, { kind: 'unsupported', text: '-m multiport --ports 80' }]],
  ['mark and connmark', '-m mark ! --mark 0x539/0xfff -m connmark --mark 0x111', [
    { negate: true, kind: 'mark', masked: { value: 0x539, mask: 0xfff } }, { kind: 'connmark', masked: { value: 0x111, mask: U32 } },
  ]],
  ['owner', '-m owner --uid-owner 1337 ! --gid-owner 1000-2000 --socket-exists', [
    { kind: 'uid', ranges: [[1337, 1337]] }, { negate: true, kind: 'gid', ranges: [[1000, 2000]] }, { kind: 'socket-exists' },
  ]],
  ['ipset', '-m set --match-set probes dst -m set ! --match-set pods src,dst', [
    { kind: 'set', name: 'probes', dirs: ['dst'] }, { negate: true, kind: 'set', name: 'pods', dirs: ['src', 'dst'] },
  ]],
  ['addrtype with limits', '-m addrtype --dst-type LOCAL --limit-iface-in', [{ kind: 'addrtype', dst: ['LOCAL'], limitIfaceIn: true }]],
  ['addrtype inverts each type separately', '-m addrtype ! --src-type UNICAST,LOCAL --dst-type MULTICAST', [
    { negate: true, kind: 'addrtype', src: ['UNICAST', 'LOCAL'] }, { kind: 'addrtype', dst: ['MULTICAST'] },
  ]],
  ['conntrack and state', '-m conntrack --ctstate RELATED,ESTABLISHED -m state ! --state NEW', [
    { kind: 'ctstate', states: ['RELATED', 'ESTABLISHED'] }, { negate: true, kind: 'ctstate', states: ['NEW'] },
  ]],
  ['comment with quotes', '-m comment --comment "a b \\"c\\" d"', [{ kind: 'comment', text: 'a b "c" d' }]],
  ['statistic random', '-m statistic --mode random --probability 0.50000000000', [{ kind: 'statistic', mode: 'random', probability: 0.5 }]],
  ['statistic nth', '-m statistic --mode nth --every 3 --packet 1', [{ kind: 'statistic', mode: 'nth', every: 3, packet: 1 }]],
  ['socket flags', '-p tcp -m socket --transparent --nowildcard --restore-skmark', [
    { kind: 'proto', protos: ['tcp'] }, { kind: 'socket', transparent: true, nowildcard: true, restoreSkmark: true },
  ]],
  ['plain socket', '-m socket', [{ kind: 'socket', transparent: false, nowildcard: false, restoreSkmark: false }]],
  ['physdev', '-m physdev --physdev-in eth0 --physdev-is-bridged', [{ kind: 'physdev', in: 'eth0', isBridged: true }]],
  ['unknown module', '-m length --length 100', [{ kind: 'unsupported', text: '-m length --length 100' }]],
  ['unknown option of a known module', '-p tcp -m tcp --tcp-flags SYN,ACK SYN', [{ kind: 'proto', protos: ['tcp'] }, { kind: 'unsupported', text: '-m tcp --tcp-flags SYN,ACK SYN' }]],
];

test('matches parse to the exact model', () => {
  for (const [name, text, want, backend] of MATCHES) assert.deepEqual(rule('mangle', 'PREROUTING', text, backend).matches, want, name);
});

const TARGETS: [string, string, string, Action[], ('iptables' | 'ip6tables')?][] = [
  ['ACCEPT', 'filter', '-j ACCEPT', [{ kind: 'accept' }]],
  ['DROP', 'filter', '-j DROP', [{ kind: 'drop' }]],
  ['RETURN', 'filter', '-j RETURN', [{ kind: 'return' }]],
  ['REJECT', 'filter', '-p tcp -j REJECT --reject-with tcp-reset', [{ kind: 'reject', with: 'tcp-reset' }]],
  ['jump', 'filter', '-j USER', [{ kind: 'jump', chain: 'USER' }]],
  ['goto', 'filter', '-g USER', [{ kind: 'goto', chain: 'USER' }]],
  ['no target', 'filter', '-p tcp', []],
  ['REDIRECT', 'nat', '-p tcp -j REDIRECT --to-ports 15001', [{ kind: 'redirect', ports: [15001, 15001] }]],
  ['REDIRECT range', 'nat', '-p tcp -j REDIRECT --to-ports 15001-15002 --random', [{ kind: 'redirect', ports: [15001, 15002] }]],
  ['DNAT ip:port', 'nat', '-p tcp -j DNAT --to-destination 10.0.0.1:80', [{ kind: 'dnat', addr: '10.0.0.1', ports: [80, 80] }]],
  ['DNAT address range, port range', 'nat', '-p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.3:80-90', [{ kind: 'dnat', addr: '10.0.0.1-10.0.0.3', ports: [80, 90] }]],
  ['DNAT address only', 'nat', '-j DNAT --to-destination 10.0.0.1', [{ kind: 'dnat', addr: '10.0.0.1' }]],
  ['DNAT [v6]:port', 'nat', '-p tcp -j DNAT --to-destination [fd00::1]:80', [{ kind: 'dnat', addr: 'fd00::1', ports: [80, 80] }], 'ip6tables'],
  ['DNAT bare v6', 'nat', '-j DNAT --to-destination fd00::1', [{ kind: 'dnat', addr: 'fd00::1' }], 'ip6tables'],
  ['SNAT', 'nat', '-j SNAT --to-source 169.254.7.127', [{ kind: 'snat', addr: '169.254.7.127' }]],
  ['MASQUERADE', 'nat', '-p tcp -j MASQUERADE --to-ports 1000-2000 --random-fully', [{ kind: 'masquerade', ports: [1000, 2000] }]],
  ['TPROXY full', 'mangle', '-p tcp -j TPROXY --on-port 15006 --on-ip 127.0.0.1 --tproxy-mark 0x111/0xfff', [{ kind: 'tproxy', port: 15006, ip: '127.0.0.1', mark: { value: 0x111, mask: 0xfff } }]],
  ['TPROXY unspecified address', 'mangle', '-p tcp -j TPROXY --on-port 15006 --on-ip 0.0.0.0 --tproxy-mark 0x111/0xffffffff', [{ kind: 'tproxy', port: 15006, mark: { value: 0x111, mask: U32 } }]],
  ['TPROXY v6', 'mangle', '-p tcp -j TPROXY --on-port 15006 --on-ip :: --tproxy-mark 0x111/0xfff', [{ kind: 'tproxy', port: 15006, mark: { value: 0x111, mask: 0xfff } }], 'ip6tables'],
  ['MARK --set-xmark', 'mangle', '-j MARK --set-xmark 0x100/0x100', [{ kind: 'mark', clear: 0x100, xor: 0x100 }]],
  ['MARK --set-mark', 'mangle', '-j MARK --set-mark 1337', [{ kind: 'mark', clear: U32, xor: 1337 }]],
  ['MARK --set-mark v/m', 'mangle', '-j MARK --set-mark 0x4/0xf0', [{ kind: 'mark', clear: 0xf4, xor: 4 }]],
  ['MARK --or-mark', 'mangle', '-j MARK --or-mark 0x4', [{ kind: 'mark', clear: 4, xor: 4 }]],
  ['MARK --and-mark', 'mangle', '-j MARK --and-mark 0x4', [{ kind: 'mark', clear: 0xfffffffb, xor: 0 }]],
  ['MARK --xor-mark', 'mangle', '-j MARK --xor-mark 0x4', [{ kind: 'mark', clear: 0, xor: 4 }]],
  ['CONNMARK --set-xmark', 'mangle', '-j CONNMARK --set-xmark 0x111/0xfff', [{ kind: 'connmark-set', clear: 0xfff, xor: 0x111 }]],
  ['CONNMARK --set-mark', 'mangle', '-j CONNMARK --set-mark 0x5/0xa', [{ kind: 'connmark-set', clear: 0xf, xor: 5 }]],
  ['CONNMARK --save-mark', 'mangle', '-j CONNMARK --save-mark', [{ kind: 'connmark-save', nfmask: U32, ctmask: U32 }]],
  ['CONNMARK --save-mark --mask', 'mangle', '-j CONNMARK --save-mark --mask 0xff', [{ kind: 'connmark-save', nfmask: 0xff, ctmask: 0xff }]],
  ['CONNMARK --restore-mark masks', 'mangle', '-j CONNMARK --restore-mark --nfmask 0xf --ctmask 0xff', [{ kind: 'connmark-restore', nfmask: 0xf, ctmask: 0xff }]],
  ['CT --zone', 'raw', '-p udp -j CT --zone 1', [{ kind: 'ct', zone: 1 }]],
  ['CT --notrack', 'raw', '-j CT --notrack', [{ kind: 'ct', notrack: true }]],
  ['NOTRACK', 'raw', '-j NOTRACK', [{ kind: 'ct', notrack: true }]],
  ['LOG', 'filter', '-j LOG --log-prefix "hello world " --log-level 4', [{ kind: 'log', prefix: 'hello world ' }]],
  ['NFLOG', 'filter', '-j NFLOG --nflog-prefix "-x y" --nflog-group 1337 --nflog-size 20', [{ kind: 'log', prefix: '-x y' }]],
  ['TRACE', 'raw', '-j TRACE', [{ kind: 'trace' }]],
  ['unknown target', 'mangle', '-j TTL --ttl-set 5', [{ kind: 'unsupported', text: '-j TTL --ttl-set 5' }]],
  ['unknown option of a known target', 'mangle', '-j CT --helper ftp', [{ kind: 'unsupported', text: '-j CT --helper ftp' }]],
];

test('targets parse to the exact model', () => {
  for (const [name, table, text, want, backend] of TARGETS) {
    const chain = table === 'nat' ? (text.includes('SNAT') || text.includes('MASQ') ? 'POSTROUTING' : 'PREROUTING') : table === 'filter' ? 'INPUT' : 'PREROUTING';
    assert.deepEqual(rule(table, chain, text, backend).actions, want, name);
  }
});

test('a whole dump: tables, policies, counters, chains, evidence', () => {
  const text = [
    '# Generated by iptables-save v1.8.9 (nf_tables) on Fri Nov 27 15:54:10 2026',
    '*nat',
    ':PREROUTING ACCEPT [3:180]',
    ':OUTPUT ACCEPT [0:0]',
    ':ISTIO_REDIRECT - [0:0]',
    '[5:300] -A OUTPUT -p tcp -j ISTIO_REDIRECT',
    '[0:0] -A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
    'COMMIT',
    '*filter',
    ':INPUT DROP [1:2]',
    'COMMIT',
    '# Completed on Fri Nov 27 15:54:10 2026',
  ].join('\n');
  const want: Ruleset = {
    backend: 'iptables',
    sets: new Map(),
    iptablesNftTables: [],
    chains: new Map([
      ['ip/nat/PREROUTING', { family: 'ip', table: 'nat', name: 'PREROUTING', base: { hook: 'prerouting', priority: -100, type: 'nat', policy: 'accept' }, rules: [], counters: { packets: 3, bytes: 180 }, evidence: { file: 'f', line: 3, text: ':PREROUTING ACCEPT [3:180]' } }],
      ['ip/nat/OUTPUT', {
        family: 'ip', table: 'nat', name: 'OUTPUT', base: { hook: 'output', priority: -100, type: 'nat', policy: 'accept' }, counters: { packets: 0, bytes: 0 }, evidence: { file: 'f', line: 4, text: ':OUTPUT ACCEPT [0:0]' },
        rules: [{ chain: 'ip/nat/OUTPUT', index: 0, matches: [{ kind: 'proto', protos: ['tcp'] }], actions: [{ kind: 'jump', chain: 'ISTIO_REDIRECT' }], counters: { packets: 5, bytes: 300 }, evidence: { file: 'f', line: 6, text: '-A OUTPUT -p tcp -j ISTIO_REDIRECT' } }],
      }],
      ['ip/nat/ISTIO_REDIRECT', {
        family: 'ip', table: 'nat', name: 'ISTIO_REDIRECT', counters: { packets: 0, bytes: 0 }, evidence: { file: 'f', line: 5, text: ':ISTIO_REDIRECT - [0:0]' },
        rules: [{ chain: 'ip/nat/ISTIO_REDIRECT', index: 0, matches: [{ kind: 'proto', protos: ['tcp'] }], actions: [{ kind: 'redirect', ports: [15001, 15001] }], counters: { packets: 0, bytes: 0 }, evidence: { file: 'f', line: 7, text: '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001' } }],
      }],
      ['ip/filter/INPUT', { family: 'ip', table: 'filter', name: 'INPUT', base: { hook: 'input', priority: 0, type: 'filter', policy: 'drop' }, rules: [], counters: { packets: 1, bytes: 2 }, evidence: { file: 'f', line: 10, text: ':INPUT DROP [1:2]' } }],
    ]),
  };
  assert.deepEqual(parseIptablesSave(text, 'f', 'iptables'), want);
});

test('built-in chain priorities and types per table', () => {
  const cases: [string, string, number, string][] = [
    ['raw', 'PREROUTING', -300, 'filter'], ['mangle', 'OUTPUT', -150, 'route'], ['mangle', 'POSTROUTING', -150, 'filter'],
    ['nat', 'PREROUTING', -100, 'nat'], ['nat', 'OUTPUT', -100, 'nat'], ['nat', 'INPUT', 100, 'nat'], ['nat', 'POSTROUTING', 100, 'nat'],
    ['filter', 'FORWARD', 0, 'filter'], ['security', 'OUTPUT', 50, 'filter'],
  ];
  for (const [table, chain, priority, type] of cases) {
    const rs = parseIptablesSave(`*${table}\n:${chain} ACCEPT [0:0]\nCOMMIT\n`, 'f', 'ip6tables');
    const c = rs.chains.get(`ip6/${table}/${chain}`)!;
    assert.deepEqual([c.base?.priority, c.base?.type], [priority, type], `${table}/${chain}`);
  }
});

test('malformed input throws InputError naming file and line', () => {
  const cases: [string, string, number, RegExp][] = [
    ['rule outside a table', '-A INPUT -j ACCEPT\n', 1, /expected a \*table line/],
    ['undeclared chain', '*filter\n:INPUT ACCEPT [0:0]\n-A NOPE -j ACCEPT\nCOMMIT\n', 3, /declared in table filter/],
    ['bad port', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 99999 -j ACCEPT\nCOMMIT\n', 3, /port number/],
    ['bad mark', '*mangle\n:INPUT ACCEPT [0:0]\n-A INPUT -m mark --mark 0xzz -j ACCEPT\nCOMMIT\n', 3, /mark as a number/],
    ['mark over 32 bits', '*mangle\n:INPUT ACCEPT [0:0]\n-A INPUT -j MARK --set-xmark 0x100000000/0x1\nCOMMIT\n', 3, /within 32 bits/],
    ['bad address', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.300 -j ACCEPT\nCOMMIT\n', 3, /IPv4 address/],
    ['v6 address in iptables', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s fd00::1 -j ACCEPT\nCOMMIT\n', 3, /IPv4 address/],
    ['unknown table', '*bogus\nCOMMIT\n', 1, /table name/],
    ['missing COMMIT', '*filter\n:INPUT ACCEPT [0:0]\n', 3, /COMMIT/],
    ['open quote', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "x\nCOMMIT\n', 3, /closing double quote/],
    ['user chain with a policy', '*filter\n:MINE ACCEPT [0:0]\nCOMMIT\n', 2, /user chain MINE/],
    ['built-in chain without policy', '*filter\n:INPUT - [0:0]\nCOMMIT\n', 2, /built-in chain INPUT/],
    ['stray argument', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT foo -j ACCEPT\nCOMMIT\n', 3, /expected an option/],
    ['goto a target', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -g ACCEPT\nCOMMIT\n', 3, /user chain/],
    ['bad counters', '*filter\n:INPUT ACCEPT [x:0]\nCOMMIT\n', 2, /counters/],
    ['two targets', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT -j DROP\nCOMMIT\n', 3, /at most one/],
  ];
  for (const [name, text, line, msg] of cases) {
    assert.throws(() => parseIptablesSave(text, 'ns/iptables-save.txt', 'iptables'), (err: unknown) => {
      assert.ok(err instanceof InputError, `${name}: ${String(err)}`);
      assert.equal(err.file, 'ns/iptables-save.txt', name);
      assert.equal(err.where.line, line, name);
      assert.match(err.message, msg, name);
      return true;
    }, name);
  }
});

test('parsing is linear on long lines', () => {
  const long = `*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "${'a '.repeat(200_000)}" -j ACCEPT\n-A INPUT ${'! -s 10.0.0.0/8 '.repeat(20_000)}\nCOMMIT\n`;
  const t0 = Date.now();
  const rs = parseIptablesSave(long, 'f', 'iptables');
  assert.equal(rs.chains.get('ip/filter/INPUT')!.rules.length, 2);
  assert.ok(Date.now() - t0 < 2000);
});
