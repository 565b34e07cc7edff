import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action, Match } from '../../../src/model/netfilter.ts';
import { parseNftJson } from '../../../src/parse/nft-json.ts';
import { kernelUnavailable, TempNetns } from '../../support/netns.ts';

/** Rules written the way an administrator would; the kernel and nft decide what the JSON dump says. */
const RULESET = `
table inet t {
	set probes {
		type ipv4_addr
		flags interval
		elements = { 10.244.0.0/16, 10.1.2.3 }
	}
	chain pre {
		type filter hook prerouting priority mangle; policy accept;
		iifname "veth*" tcp dport { 80, 8000-8080 } ct state established,related counter meta mark set mark and 0xfffff000 or 0x111
		meta l4proto tcp ip daddr != 127.0.0.1/32 tproxy ip to :15006 meta mark set 1337 counter accept
		ip saddr @probes ct mark and 0xfff == 0x111 meta mark set ct mark
		fib daddr type local socket transparent 1 ct mark set meta mark and 0xfff
	}
	chain out {
		type nat hook output priority -100; policy accept;
		oifname != "lo" skuid != 1337 udp dport 53 redirect to :15053
		ip6 daddr ::1 return
		ip daddr 10.0.0.0/8 tcp dport 80 dnat ip to 10.1.1.1:8080
		jump sub
	}
	chain sub {
		ct mark set ct mark and 0xfffff000 or 0x111 return
	}
	chain raw {
		type filter hook output priority raw; policy drop;
		udp dport 53 ct zone set 1 notrack
	}
}
`;

const FULL = 0xffffffff;
const v4: Match = { kind: 'nfproto', family: 'ipv4' };
const tcp: Match = { kind: 'proto', protos: ['tcp'] };

const want: Record<string, [Match[], Action[]][]> = {
  'inet/t/pre': [
    [
      [{ kind: 'iif', names: ['veth+'] }, tcp, { kind: 'dport', ranges: [[80, 80], [8000, 8080]] }, { kind: 'ctstate', states: ['ESTABLISHED', 'RELATED'] }],
      [{ kind: 'counter' }, { kind: 'mark', clear: 0xfff, xor: 0x111 }],
    ],
    [
      [tcp, v4, { kind: 'daddr', cidrs: ['127.0.0.1/32'], negate: true }],
      [{ kind: 'tproxy', port: 15006, nonTerminal: true }, { kind: 'mark', clear: FULL, xor: 1337 }, { kind: 'counter' }, { kind: 'accept' }],
    ],
    [
      [v4, { kind: 'set', name: 'inet/t/probes', dirs: ['src'] }, { kind: 'connmark', masked: { value: 0x111, mask: 0xfff } }],
      [{ kind: 'connmark-restore', nfmask: FULL, ctmask: FULL }],
    ],
    [
      [{ kind: 'addrtype', dst: ['LOCAL'] }, { kind: 'socket', transparent: true, nowildcard: true, restoreSkmark: false }],
      [{ kind: 'connmark-save', nfmask: 0xfff, ctmask: FULL }],
    ],
  ],
  'inet/t/out': [
    [
      [{ kind: 'oif', names: ['lo'], negate: true }, { kind: 'socket-exists' }, { kind: 'uid', ranges: [[1337, 1337]], negate: true }, { kind: 'proto', protos: ['udp'] }, { kind: 'dport', ranges: [[53, 53]] }],
      [{ kind: 'redirect', ports: [15053, 15053] }],
    ],
    [[{ kind: 'nfproto', family: 'ipv6' }, { kind: 'daddr', cidrs: ['::1/128'] }], [{ kind: 'return' }]],
    [[v4, { kind: 'daddr', cidrs: ['10.0.0.0/8'] }, tcp, { kind: 'dport', ranges: [[80, 80]] }], [{ kind: 'dnat', addr: '10.1.1.1', ports: [8080, 8080] }]],
    [[], [{ kind: 'jump', chain: 'sub' }]],
  ],
  'inet/t/sub': [[[], [{ kind: 'connmark-set', clear: 0xfff, xor: 0x111 }, { kind: 'return' }]]],
  'inet/t/raw': [[[{ kind: 'proto', protos: ['udp'] }, { kind: 'dport', ranges: [[53, 53]] }], [{ kind: 'ct', zone: 1 }, { kind: 'ct', notrack: true }]]],
};

const skip = kernelUnavailable(['ip', 'nft']);

test('kernel: nft -f, then nft -j list ruleset, parses to the exact model', { skip }, () => {
  const ns = new TempNetns();
  try {
    ns.run('nft', ['-f', '-'], RULESET);
    const rs = parseNftJson(ns.run('nft', ['-j', 'list', 'ruleset']), 'nft.json');
    assert.deepEqual(Object.fromEntries([...rs.chains].map(([k, c]) => [k, c.rules.map((r) => [r.matches, r.actions])])), want);
    assert.deepEqual(
      [...rs.chains.values()].map((c) => c.base),
      [
        { hook: 'prerouting', priority: -150, type: 'filter', policy: 'accept' },
        { hook: 'output', priority: -100, type: 'nat', policy: 'accept' },
        undefined,
        { hook: 'output', priority: -300, type: 'filter', policy: 'drop' },
      ],
    );
    assert.deepEqual([...rs.sets], [['inet/t/probes', ['10.1.2.3', '10.244.0.0/16']]]);
  } finally {
    ns.dispose();
  }
});

test('kernel: iptables-nft tables are recognised and their xt expressions kept as unsupported', { skip: kernelUnavailable(['ip', 'nft', 'iptables-restore']) }, () => {
  const ns = new TempNetns();
  try {
    ns.run('iptables-restore', [], '*nat\n:OUTPUT ACCEPT [0:0]\n:ISTIO_OUTPUT - [0:0]\n-A OUTPUT -p tcp -j ISTIO_OUTPUT\n-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN\nCOMMIT\n');
    const rs = parseNftJson(ns.run('nft', ['-j', 'list', 'ruleset']), 'nft.json');
    assert.deepEqual(rs.iptablesNftTables, ['ip/nat']);
    const rules = rs.chains.get('ip/nat/ISTIO_OUTPUT')!.rules;
    assert.deepEqual(
      rules.map((r) => [r.matches, r.actions]),
      [[[{ kind: 'oif', names: ['lo'] }, { kind: 'unsupported', text: 'xt match owner' }], [{ kind: 'counter' }, { kind: 'return' }]]],
    );
    assert.deepEqual(rs.chains.get('ip/nat/OUTPUT')!.rules.map((r) => [r.matches, r.actions]), [[[{ kind: 'proto', protos: ['tcp'] }], [{ kind: 'counter' }, { kind: 'jump', chain: 'ISTIO_OUTPUT' }]]]);
  } finally {
    ns.dispose();
  }
});
