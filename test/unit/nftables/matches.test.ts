import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Match, NfFamily } from '../../../src/model/netfilter.ts';
import { and, ct, match, meta, parseRule, payload } from './helpers.ts';

const tcp: Match = { kind: 'proto', protos: ['tcp'] };
const udp: Match = { kind: 'proto', protos: ['udp'] };
const v4: Match = { kind: 'nfproto', family: 'ipv4' };
const v6: Match = { kind: 'nfproto', family: 'ipv6' };
const sock: Match = { kind: 'socket-exists' };
const fib = (flags: string[]) => ({ fib: { result: 'type', flags } });

const cases: { name: string; expr: unknown[]; family?: NfFamily; want: Match[] }[] = [
  { name: 'meta l4proto tcp', expr: [match(meta('l4proto'), '==', 'tcp')], want: [tcp] },
  { name: 'meta l4proto by number', expr: [match(meta('l4proto'), '==', 17)], want: [udp] },
  { name: 'meta l4proto set', expr: [match(meta('l4proto'), '==', { set: ['tcp', 'udp'] })], want: [{ kind: 'proto', protos: ['tcp', 'udp'] }] },
  { name: 'meta l4proto != tcp', expr: [match(meta('l4proto'), '!=', 'tcp')], want: [{ ...tcp, negate: true }] },
  { name: 'meta nfproto ipv6', expr: [match(meta('nfproto'), '==', 'ipv6')], want: [v6] },
  { name: 'meta protocol ip', expr: [match(meta('protocol'), '==', 'ip')], want: [v4] },
  { name: 'ip protocol tcp (inet)', expr: [match(payload('ip', 'protocol'), '==', 'tcp')], want: [v4, tcp] },
  { name: 'ip saddr address', expr: [match(payload('ip', 'saddr'), '==', '169.254.7.127')], want: [v4, { kind: 'saddr', cidrs: ['169.254.7.127/32'] }] },
  { name: 'ip daddr != address', expr: [match(payload('ip', 'daddr'), '!=', '127.0.0.1')], want: [v4, { kind: 'daddr', cidrs: ['127.0.0.1/32'], negate: true }] },
  { name: 'ip daddr prefix', expr: [match(payload('ip', 'daddr'), '==', { prefix: { addr: '10.0.0.0', len: 8 } })], want: [v4, { kind: 'daddr', cidrs: ['10.0.0.0/8'] }] },
  { name: 'ip daddr in an ip table has no family dependency', family: 'ip', expr: [match(payload('ip', 'daddr'), '==', '10.0.0.1')], want: [{ kind: 'daddr', cidrs: ['10.0.0.1/32'] }] },
  {
    name: 'ip daddr set literal',
    expr: [match(payload('ip', 'daddr'), '==', { set: ['10.0.0.1', { prefix: { addr: '9.9.0.0', len: 16 } }] })],
    want: [v4, { kind: 'daddr', cidrs: ['10.0.0.1/32', '9.9.0.0/16'] }],
  },
  { name: 'ip6 saddr', expr: [match(payload('ip6', 'saddr'), '==', '::6')], want: [v6, { kind: 'saddr', cidrs: ['::6/128'] }] },
  { name: 'ip6 daddr prefix', expr: [match(payload('ip6', 'daddr'), '==', { prefix: { addr: '2001:db8::', len: 32 } })], want: [v6, { kind: 'daddr', cidrs: ['2001:db8::/32'] }] },
  { name: 'ip daddr @set', expr: [match(payload('ip', 'daddr'), '==', '@probes')], want: [v4, { kind: 'set', name: 'inet/t/probes', dirs: ['dst'] }] },
  { name: 'ip saddr != @set', expr: [match(payload('ip', 'saddr'), '!=', '@probes')], want: [v4, { kind: 'set', name: 'inet/t/probes', dirs: ['src'], negate: true }] },
  { name: 'tcp dport', expr: [match(payload('tcp', 'dport'), '==', 15008)], want: [tcp, { kind: 'dport', ranges: [[15008, 15008]] }] },
  { name: 'tcp dport != set', expr: [match(payload('tcp', 'dport'), '!=', { set: [53, 15008] })], want: [tcp, { kind: 'dport', ranges: [[53, 53], [15008, 15008]], negate: true }] },
  { name: 'udp sport', expr: [match(payload('udp', 'sport'), '==', 53)], want: [udp, { kind: 'sport', ranges: [[53, 53]] }] },
  { name: 'tcp dport range', expr: [match(payload('tcp', 'dport'), '==', { range: [1000, 2000] })], want: [tcp, { kind: 'dport', ranges: [[1000, 2000]] }] },
  { name: 'tcp dport < 1024', expr: [match(payload('tcp', 'dport'), '<', 1024)], want: [tcp, { kind: 'dport', ranges: [[0, 1023]] }] },
  { name: 'tcp dport >= 30000', expr: [match(payload('tcp', 'dport'), '>=', 30000)], want: [tcp, { kind: 'dport', ranges: [[30000, 65535]] }] },
  { name: 'th dport has no protocol dependency', expr: [match(payload('th', 'dport'), '==', 53)], want: [{ kind: 'dport', ranges: [[53, 53]] }] },
  { name: 'tcp dport @set', expr: [match(payload('tcp', 'dport'), '==', '@ports')], want: [tcp, { kind: 'set', name: 'inet/t/ports', dirs: ['dst'] }] },
  { name: 'explicit l4proto is not repeated', expr: [match(meta('l4proto'), '==', 'tcp'), match(payload('tcp', 'dport'), '!=', 15008)], want: [tcp, { kind: 'dport', ranges: [[15008, 15008]], negate: true }] },
  { name: 'oifname', expr: [match(meta('oifname'), '==', 'lo')], want: [{ kind: 'oif', names: ['lo'] }] },
  { name: 'oifname !=', expr: [match(meta('oifname'), '!=', 'lo')], want: [{ kind: 'oif', names: ['lo'], negate: true }] },
  { name: 'iifname wildcard becomes +', expr: [match(meta('iifname'), '==', 'veth*')], want: [{ kind: 'iif', names: ['veth+'] }] },
  { name: 'iifname escaped star stays literal', expr: [match(meta('iifname'), '==', 'a\\*')], want: [{ kind: 'iif', names: ['a*'] }] },
  { name: 'iifname set', expr: [match(meta('iifname'), '==', { set: ['eth1', 'eth2'] })], want: [{ kind: 'iif', names: ['eth1', 'eth2'] }] },
  { name: 'meta mark', expr: [match(meta('mark'), '==', 1337)], want: [{ kind: 'mark', masked: { value: 1337, mask: 0xffffffff } }] },
  { name: 'meta mark != ', expr: [match(meta('mark'), '!=', 1338)], want: [{ kind: 'mark', masked: { value: 1338, mask: 0xffffffff }, negate: true }] },
  { name: 'meta mark & mask', expr: [match(and(meta('mark'), 0xfff), '!=', 0x539)], want: [{ kind: 'mark', masked: { value: 0x539, mask: 0xfff }, negate: true }] },
  { name: 'ct mark & mask', expr: [match(and(ct('mark'), 0xfff), '==', 0x111)], want: [{ kind: 'connmark', masked: { value: 0x111, mask: 0xfff } }] },
  { name: 'ct mark', expr: [match(ct('mark'), '==', 1337)], want: [{ kind: 'connmark', masked: { value: 1337, mask: 0xffffffff } }] },
  { name: 'skuid', expr: [match(meta('skuid'), '==', 1337)], want: [sock, { kind: 'uid', ranges: [[1337, 1337]] }] },
  { name: 'skuid != (no socket: no match)', expr: [match(meta('skuid'), '!=', 1337)], want: [sock, { kind: 'uid', ranges: [[1337, 1337]], negate: true }] },
  { name: 'skgid set', expr: [match(meta('skgid'), '==', { set: [1, 2] })], want: [sock, { kind: 'gid', ranges: [[1, 1], [2, 2]] }] },
  { name: 'skuid range', expr: [match(meta('skuid'), '==', { range: [1000, 2000] })], want: [sock, { kind: 'uid', ranges: [[1000, 2000]] }] },
  { name: 'fib daddr type local', expr: [match(fib(['daddr']), '==', 'local')], want: [{ kind: 'addrtype', dst: ['LOCAL'] }] },
  { name: 'fib saddr . iif type != local', expr: [match(fib(['saddr', 'iif']), '!=', 'local')], want: [{ kind: 'addrtype', src: ['LOCAL'], limitIfaceIn: true, negate: true }] },
  { name: 'ct state set', expr: [match(ct('state'), 'in', ['established', 'related'])], want: [{ kind: 'ctstate', states: ['ESTABLISHED', 'RELATED'] }] },
  { name: 'ct state single', expr: [match(ct('state'), 'in', 'invalid')], want: [{ kind: 'ctstate', states: ['INVALID'] }] },
  { name: 'ct state !=', expr: [match(ct('state'), '!=', 'new')], want: [{ kind: 'ctstate', states: ['NEW'], negate: true }] },
  { name: 'ct status dnat', expr: [match(ct('status'), 'in', 'dnat')], want: [{ kind: 'ctstate', states: ['DNAT'] }] },
  { name: 'ct zone', expr: [match(ct('zone'), '==', 1)], want: [{ kind: 'ctzone', zone: 1 }] },
  { name: 'socket transparent 1', expr: [match({ socket: { key: 'transparent' } }, '==', 1)], want: [{ kind: 'socket', transparent: true, nowildcard: true, restoreSkmark: false }] },
  // Well-formed but without an exact model: kept, never dropped.
  { name: 'socket transparent 0', expr: [match({ socket: { key: 'transparent' } }, '==', 0)], want: [{ kind: 'unsupported', text: 'socket transparent 0' }] },
  { name: 'address range', expr: [match(payload('ip', 'daddr'), '==', { range: ['10.0.0.1', '10.0.0.9'] })], want: [{ kind: 'unsupported', text: 'ip daddr 10.0.0.1-10.0.0.9' }] },
  { name: 'concatenation', expr: [match({ concat: [payload('ip', 'daddr'), payload('tcp', 'dport')] }, '==', '@svc')], want: [{ kind: 'unsupported', text: 'ip daddr . tcp dport @svc' }] },
  { name: 'skuid by user name', expr: [match(meta('skuid'), '==', 'root')], want: [{ kind: 'unsupported', text: 'skuid root' }] },
  { name: 'meta mark shifted', expr: [match({ '>>': [meta('mark'), 8] }, '==', 1)], want: [{ kind: 'unsupported', text: 'meta mark >> 0x8 == 0x1' }] },
  { name: 'fib oif', expr: [match({ fib: { result: 'oif', flags: ['saddr', 'iif'] } }, '==', false)], want: [{ kind: 'unsupported', text: 'fib saddr . iif oif false' }] },
  { name: 'ct original saddr', expr: [match({ ct: { key: 'saddr', dir: 'original' } }, '==', '10.0.0.1')], want: [{ kind: 'unsupported', text: 'ct original saddr 10.0.0.1' }] },
  { name: 'iptables-nft xt match', family: 'ip', expr: [{ xt: { type: 'match', name: 'owner' } }], want: [{ kind: 'unsupported', text: 'xt match owner' }] },
];

for (const c of cases) {
  test(`match: ${c.name}`, () => {
    assert.deepEqual(parseRule([...c.expr, { accept: null }], c.family).matches, c.want);
  });
}
