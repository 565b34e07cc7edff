import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpsetSave } from '../../../src/parse/ipset.ts';
import { InputError } from '../../../src/model/evidence.ts';
import { cidrContains, formatIp, longestPrefixMatch, parseCidr, parseIp, sameIp } from '../../../src/engine/net/cidr.ts';

test('ipset save parses to the exact model', () => {
  const text = [
    'create istio-inpod-probes-v4 hash:ip family inet hashsize 1024 maxelem 65536 comment bucketsize 12 initval 0xc4bbba9d',
    'add istio-inpod-probes-v4 10.244.1.5 comment "uid one"',
    'create nets hash:net family inet6 hashsize 1024 maxelem 65536',
    'add nets fd00::/8',
    'add nets fd00:1::/32 nomatch',
    'create ports hash:ip,port',
    'add ports 10.0.0.0,tcp:80 timeout 0 packets 0 bytes 0',
  ].join('\n');
  const ev = (line: number, text: string) => ({ file: 's', line, text });
  assert.deepEqual(parseIpsetSave(text, 's'), new Map([
    ['istio-inpod-probes-v4', { name: 'istio-inpod-probes-v4', type: 'hash:ip', family: 'inet', evidence: ev(1, 'create istio-inpod-probes-v4 hash:ip family inet hashsize 1024 maxelem 65536 comment bucketsize 12 initval 0xc4bbba9d'), members: [{ value: '10.244.1.5', evidence: ev(2, 'add istio-inpod-probes-v4 10.244.1.5 comment "uid one"') }] }],
    ['nets', { name: 'nets', type: 'hash:net', family: 'inet6', evidence: ev(3, 'create nets hash:net family inet6 hashsize 1024 maxelem 65536'), members: [
      { value: 'fd00::/8', evidence: ev(4, 'add nets fd00::/8') }, { value: 'fd00:1::/32', nomatch: true, evidence: ev(5, 'add nets fd00:1::/32 nomatch') },
    ] }],
    ['ports', { name: 'ports', type: 'hash:ip,port', evidence: ev(6, 'create ports hash:ip,port'), members: [{ value: '10.0.0.0,tcp:80', evidence: ev(7, 'add ports 10.0.0.0,tcp:80 timeout 0 packets 0 bytes 0') }] }],
  ]));
});

test('ipset errors name file and line', () => {
  const cases: [string, number, RegExp][] = [
    ['add nope 10.0.0.1', 1, /set created above/],
    ['create x hash:ip\nflush x', 2, /"create" or "add"/],
    ['create x hash:ip family ipx', 1, /family inet/],
    ['create x', 1, /create NAME TYPE/],
    ['create x hash:ip\nadd x 1.2.3.4 comment "open', 2, /double quote/],
  ];
  for (const [text, line, msg] of cases) {
    assert.throws(() => parseIpsetSave(text, 'ipset.txt'), (e: unknown) => e instanceof InputError && e.file === 'ipset.txt' && e.where.line === line && msg.test(e.message), text);
  }
});

test('cidr helpers: IPv4 and IPv6 parsing, containment, longest prefix', () => {
  assert.deepEqual(parseIp('10.0.0.1'), { family: 4, value: 0x0a000001n });
  assert.deepEqual(parseIp('::ffff:1.2.3.4'), { family: 6, value: 0xffff01020304n });
  assert.deepEqual(parseCidr('10.1.2.3/8'), { family: 4, value: 0x0a000000n, prefix: 8 });
  for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', '1:2:3:4:5:6:7:8:9', 'x', '10.0.0.0/33', 'fd00::/129', '']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
  const contains: [string, string, boolean][] = [
    ['10.0.0.0/8', '10.255.0.1', true], ['10.0.0.0/8', '11.0.0.1', false], ['0.0.0.0/0', '1.2.3.4', true],
    ['127.0.0.1', '127.0.0.1', true], ['fd00::/64', 'fd00::1', true], ['fd00::/64', 'fd00:0:0:1::1', false],
    ['::/0', '10.0.0.1', false], ['10.0.0.0/8', '::a00:1', false],
  ];
  for (const [c, ip, want] of contains) assert.equal(cidrContains(c, ip), want, `${c} ∋ ${ip}`);
  const routes = ['0.0.0.0/0', '10.0.0.0/8', '10.244.0.0/16', 'fd00::/8'];
  assert.equal(longestPrefixMatch(routes, (r) => r, '10.244.1.5'), '10.244.0.0/16');
  assert.equal(longestPrefixMatch(routes, (r) => r, '192.168.0.1'), '0.0.0.0/0');
  assert.equal(longestPrefixMatch(routes, (r) => r, 'fd00::1'), 'fd00::/8');
  assert.equal(longestPrefixMatch(routes, (r) => r, '2001::1'), undefined);
  assert.equal(sameIp('::1', '0:0:0::1'), true);
  assert.deepEqual(['10.0.0.1', 'fd00:0:0:0:0:0:0:1', '2001:db8:0:1:0:0:0:1', '::', 'fe80::1:0:0:1'].map((s) => formatIp(parseIp(s)!)), ['10.0.0.1', 'fd00::1', '2001:db8:0:1::1', '::', 'fe80::1:0:0:1']);
});
