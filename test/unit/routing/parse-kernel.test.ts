import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelUnavailable, TempNetns } from '../../support/netns.ts';
import { buildFixture } from './fixture.ts';
import { parseIpLink } from '../../../src/parse/ip-link.ts';
import { parseIpAddr } from '../../../src/parse/ip-addr.ts';
import { parseIpRule } from '../../../src/parse/ip-rule.ts';
import { parseIpRoute } from '../../../src/parse/ip-route.ts';
import type { Route } from '../../../src/model/routing.ts';

const skip = kernelUnavailable(['ip']);

/** Real `ip` output from the fixture namespace, captured once for all parser tests. */
function capture(): Record<'link' | 'addr' | 'rule' | 'rule6' | 'route', string> {
  const ns = new TempNetns();
  const peer = new TempNetns();
  try {
    buildFixture(ns, peer);
    return {
      link: ns.run('ip', ['-d', '-j', 'link']),
      addr: ns.run('ip', ['-j', 'addr']),
      rule: ns.run('ip', ['-j', 'rule']),
      rule6: ns.run('ip', ['-6', '-j', 'rule']),
      route: ns.run('ip', ['-j', 'route', 'show', 'table', 'all']),
    };
  } finally {
    ns.dispose();
    peer.dispose();
  }
}

const out = skip ? undefined : capture();
const F = 'nodes/n/ip.json';

test('ip -d -j link: veth pairs, vxlan, bridge, loopback', { skip }, () => {
  const ev = (i: number, text: string) => ({ file: F, pointer: `/${i}`, text });
  assert.deepEqual(parseIpLink(out!.link, F), [
    { ifindex: 1, ifname: 'lo', kind: 'loopback', up: true, mtu: 65536, address: '00:00:00:00:00:00', evidence: ev(0, '1: lo: up loopback') },
    { ifindex: 2, ifname: 'va', kind: 'veth', up: true, mtu: 1500, address: '02:00:00:00:00:0a', peerIndex: 2, linkNetnsid: 0, evidence: ev(1, '2: va@if2: up veth link-netnsid 0') },
    { ifindex: 3, ifname: 'p2', kind: 'veth', up: true, mtu: 1500, address: '02:00:00:00:00:02', peerIndex: 4, evidence: ev(2, '3: p2@if4: up veth') },
    { ifindex: 4, ifname: 'p1', kind: 'veth', up: true, mtu: 1500, address: '02:00:00:00:00:01', peerIndex: 3, evidence: ev(3, '4: p1@if3: up veth') },
    {
      ifindex: 5, ifname: 'vx0', kind: 'vxlan', up: true, mtu: 1450, address: '02:00:00:00:00:03',
      tunnel: { id: 1001, port: 4789, remote: '10.1.0.2', local: '10.1.0.1' },
      evidence: ev(4, '5: vx0: up vxlan id 1001 remote 10.1.0.2 local 10.1.0.1 dstport 4789'),
    },
    {
      ifindex: 6, ifname: 'vx1', kind: 'vxlan', up: false, mtu: 1450, address: '02:00:00:00:00:04', master: 'br0',
      tunnel: { id: 1000, port: 6081, remote: '239.1.1.1' },
      evidence: ev(5, '6: vx1: down master br0 vxlan id 1000 remote 239.1.1.1 dstport 6081'),
    },
    { ifindex: 7, ifname: 'br0', kind: 'bridge', up: false, mtu: 1450, address: '02:00:00:00:00:05', evidence: ev(6, '7: br0: down bridge') },
  ]);
});

test('ip -j addr: IPv4 and IPv6 addresses per device', { skip }, () => {
  const rows: [string, number, 4 | 6, string, number, string][] = [
    ['lo', 1, 4, '127.0.0.1', 8, '/0/addr_info/0'],
    ['lo', 1, 6, '::1', 128, '/0/addr_info/1'],
    ['va', 2, 4, '10.1.0.1', 24, '/1/addr_info/0'],
    ['va', 2, 6, 'fd00::1', 64, '/1/addr_info/1'],
    ['va', 2, 6, 'fe80::ff:fe00:a', 64, '/1/addr_info/2'],
    ['p2', 3, 6, 'fe80::ff:fe00:2', 64, '/2/addr_info/0'],
    ['p1', 4, 4, '10.2.0.1', 24, '/3/addr_info/0'],
    ['p1', 4, 6, 'fe80::ff:fe00:1', 64, '/3/addr_info/1'],
    ['vx0', 5, 4, '192.168.127.1', 30, '/4/addr_info/0'],
    ['vx0', 5, 6, 'fe80::ff:fe00:3', 64, '/4/addr_info/1'],
  ];
  assert.deepEqual(
    parseIpAddr(out!.addr, F),
    rows.map(([ifname, ifindex, family, local, prefixlen, pointer]) => ({
      ifname, ifindex, family, local, prefixlen,
      evidence: { file: F, pointer, text: `${ifindex}: ${ifname} ${family === 4 ? 'inet' : 'inet6'} ${local}/${prefixlen}` },
    })),
  );
});

test('ip -j rule and ip -6 -j rule: selectors, goto, error actions, suppress', { skip }, () => {
  const all = 0xffffffff;
  const rows = [
    { priority: 0, action: 'lookup', table: 255, text: '0: from all lookup local' },
    { priority: 100, action: 'goto', fwmark: { value: 0x200, mask: 0x200 }, target: 32766, text: '100: from all fwmark 0x200/0x200 goto 32766' },
    { priority: 101, action: 'lookup', fwmark: { value: 0x100, mask: 0x100 }, table: 101, text: '101: from all fwmark 0x100/0x100 lookup 101' },
    { priority: 102, action: 'lookup', fwmark: { value: 0x40, mask: 0x40 }, table: 102, text: '102: from all fwmark 0x40/0x40 lookup 102' },
    { priority: 103, action: 'lookup', table: 100, text: '103: from all lookup 100' },
    { priority: 200, action: 'lookup', fwmark: { value: 0x400, mask: 0xfff }, table: 150, text: '200: from all fwmark 0x400/0xfff lookup 150' },
    { priority: 300, action: 'lookup', not: true, src: '10.0.0.0/8', iif: 'va', table: 300, text: '300: not from 10.0.0.0/8 iif va lookup 300' },
    { priority: 400, action: 'lookup', src: '10.1.0.0/24', dst: '10.50.0.0/16', table: 400, text: '400: from 10.1.0.0/24 to 10.50.0.0/16 lookup 400' },
    { priority: 500, action: 'blackhole', fwmark: { value: 0x1007, mask: all }, text: '500: from all fwmark 0x1007 blackhole' },
    { priority: 501, action: 'unreachable', fwmark: { value: 0x1008, mask: all }, text: '501: from all fwmark 0x1008 unreachable' },
    { priority: 502, action: 'prohibit', fwmark: { value: 0x1009, mask: all }, text: '502: from all fwmark 0x1009 prohibit' },
    { priority: 503, action: 'nop', text: '503: from all nop' },
    { priority: 600, action: 'goto', iif: 'lo', fwmark: { value: 0x3000, mask: all }, target: 700, text: '600: from all fwmark 0x3000 iif lo goto 700' },
    { priority: 601, action: 'lookup', fwmark: { value: 0x3000, mask: all }, table: 601, text: '601: from all fwmark 0x3000 lookup 601' },
    { priority: 700, action: 'lookup', fwmark: { value: 0x3000, mask: all }, table: 700, text: '700: from all fwmark 0x3000 lookup 700' },
    { priority: 800, action: 'goto', fwmark: { value: 0x5000, mask: all }, target: 850, unresolved: true, text: '800: from all fwmark 0x5000 goto 850' },
    { priority: 900, action: 'lookup', fwmark: { value: 0x6000, mask: all }, suppressPrefixlen: 0, table: 254, text: '900: from all fwmark 0x6000 lookup main suppress_prefixlength 0' },
    { priority: 901, action: 'blackhole', fwmark: { value: 0x6000, mask: all }, text: '901: from all fwmark 0x6000 blackhole' },
    { priority: 950, action: 'lookup', oif: 'p1', table: 950, text: '950: from all oif p1 lookup 950' },
    { priority: 32766, action: 'lookup', table: 254, text: '32766: from all lookup main' },
    { priority: 32767, action: 'lookup', table: 253, text: '32767: from all lookup default' },
  ];
  const expected = (family: 4 | 6, file: string) => (r: (typeof rows)[number], i: number) => {
    const { text, ...rest } = r;
    return { family, ...rest, evidence: { file, pointer: `/${i}`, text } };
  };
  assert.deepEqual(parseIpRule(out!.rule, F), rows.map(expected(4, F)));
  assert.deepEqual(parseIpRule(out!.rule6, 'r6', 6), [rows[0], rows[5], rows[19]].map(expected(6, 'r6')));
});

test('ip -j route show table all: every table, both families, types, onlink, metrics', { skip }, () => {
  const routes = parseIpRoute(out!.route, F);
  const raw = JSON.parse(out!.route) as unknown[];
  for (const r of routes) assert.equal((raw[Number(r.evidence.pointer!.slice(1))] as { dev?: string }).dev, r.dev, `pointer of ${r.evidence.text}`);
  // The dump order follows the kernel's table hash, so compare as a set of one-line renderings plus models.
  const key = (r: Route) => JSON.stringify({ ...r, evidence: r.evidence.text });
  const rows: [Partial<Route> & Pick<Route, 'family' | 'table' | 'type' | 'dst'>, string][] = [
    [{ family: 4, table: 300, type: 'unicast', dst: '172.20.0.0/16', gateway: '10.1.0.254', dev: 'va' }, '172.20.0.0/16 via 10.1.0.254 dev va table 300'],
    [{ family: 4, table: 601, type: 'unicast', dst: '0.0.0.0/0', gateway: '10.1.0.251', dev: 'va' }, 'default via 10.1.0.251 dev va table 601'],
    [{ family: 4, table: 100, type: 'unicast', dst: '10.2.0.9/32', dev: 'p1', scope: 'link' }, '10.2.0.9 dev p1 table 100 scope link'],
    [{ family: 4, table: 100, type: 'unicast', dst: '10.20.0.7/32', gateway: '192.168.127.2', dev: 'vx0', prefsrc: '10.1.0.1' }, '10.20.0.7 via 192.168.127.2 dev vx0 table 100 src 10.1.0.1'],
    [{ family: 4, table: 101, type: 'unicast', dst: '0.0.0.0/0', gateway: '192.168.127.2', dev: 'vx0' }, 'default via 192.168.127.2 dev vx0 table 101'],
    [{ family: 4, table: 102, type: 'unicast', dst: '0.0.0.0/0', gateway: '10.2.0.9', dev: 'p1', onlink: true }, 'default via 10.2.0.9 dev p1 table 102 onlink'],
    [{ family: 4, table: 102, type: 'unicast', dst: '10.2.0.9/32', dev: 'p1', scope: 'link' }, '10.2.0.9 dev p1 table 102 scope link'],
    [{ family: 4, table: 400, type: 'unicast', dst: '10.50.0.0/16', gateway: '10.1.0.253', dev: 'va' }, '10.50.0.0/16 via 10.1.0.253 dev va table 400'],
    [{ family: 4, table: 400, type: 'throw', dst: '10.50.7.0/24' }, 'throw 10.50.7.0/24 table 400'],
    [{ family: 4, table: 400, type: 'unreachable', dst: '10.50.8.0/24' }, 'unreachable 10.50.8.0/24 table 400'],
    [{ family: 4, table: 400, type: 'prohibit', dst: '10.50.9.0/24' }, 'prohibit 10.50.9.0/24 table 400'],
    [{ family: 4, table: 400, type: 'blackhole', dst: '10.50.10.0/24' }, 'blackhole 10.50.10.0/24 table 400'],
    [{ family: 4, table: 150, type: 'local', dst: '0.0.0.0/0', dev: 'lo', scope: 'host' }, 'local default dev lo table 150 scope host'],
    [{ family: 4, table: 950, type: 'unicast', dst: '0.0.0.0/0', gateway: '10.2.0.2', dev: 'p1' }, 'default via 10.2.0.2 dev p1 table 950'],
    [{ family: 4, table: 700, type: 'unicast', dst: '0.0.0.0/0', gateway: '10.1.0.250', dev: 'va' }, 'default via 10.1.0.250 dev va table 700'],
    [{ family: 4, table: 254, type: 'unicast', dst: '0.0.0.0/0', gateway: '10.1.0.254', dev: 'va' }, 'default via 10.1.0.254 dev va'],
    [{ family: 4, table: 254, type: 'unicast', dst: '10.1.0.0/24', dev: 'va', prefsrc: '10.1.0.1', scope: 'link' }, '10.1.0.0/24 dev va scope link src 10.1.0.1'],
    [{ family: 4, table: 254, type: 'unicast', dst: '10.2.0.0/24', dev: 'p1', prefsrc: '10.2.0.1', scope: 'link' }, '10.2.0.0/24 dev p1 scope link src 10.2.0.1'],
    [{ family: 4, table: 254, type: 'unicast', dst: '10.60.0.0/16', gateway: '10.2.0.9', dev: 'p1', metric: 5 }, '10.60.0.0/16 via 10.2.0.9 dev p1 metric 5'],
    [{ family: 4, table: 254, type: 'unicast', dst: '10.60.0.0/16', gateway: '10.1.0.9', dev: 'va', metric: 10 }, '10.60.0.0/16 via 10.1.0.9 dev va metric 10'],
    [{ family: 4, table: 254, type: 'unicast', dst: '10.61.0.0/16', dev: 'va', scope: 'link', metric: 50 }, '10.61.0.0/16 dev va scope link metric 50'],
    [{ family: 4, table: 254, type: 'unicast', dst: '10.61.1.0/24', dev: 'p1', scope: 'link' }, '10.61.1.0/24 dev p1 scope link'],
    [{ family: 4, table: 254, type: 'unicast', dst: '192.168.127.0/30', dev: 'vx0', prefsrc: '192.168.127.1', scope: 'link' }, '192.168.127.0/30 dev vx0 scope link src 192.168.127.1'],
    [{ family: 4, table: 255, type: 'local', dst: '10.1.0.1/32', dev: 'va', prefsrc: '10.1.0.1', scope: 'host' }, 'local 10.1.0.1 dev va table local scope host src 10.1.0.1'],
    [{ family: 4, table: 255, type: 'broadcast', dst: '10.1.0.255/32', dev: 'va', prefsrc: '10.1.0.1', scope: 'link' }, 'broadcast 10.1.0.255 dev va table local scope link src 10.1.0.1'],
    [{ family: 4, table: 255, type: 'local', dst: '10.2.0.1/32', dev: 'p1', prefsrc: '10.2.0.1', scope: 'host' }, 'local 10.2.0.1 dev p1 table local scope host src 10.2.0.1'],
    [{ family: 4, table: 255, type: 'broadcast', dst: '10.2.0.255/32', dev: 'p1', prefsrc: '10.2.0.1', scope: 'link' }, 'broadcast 10.2.0.255 dev p1 table local scope link src 10.2.0.1'],
    [{ family: 4, table: 255, type: 'local', dst: '127.0.0.0/8', dev: 'lo', prefsrc: '127.0.0.1', scope: 'host' }, 'local 127.0.0.0/8 dev lo table local scope host src 127.0.0.1'],
    [{ family: 4, table: 255, type: 'local', dst: '127.0.0.1/32', dev: 'lo', prefsrc: '127.0.0.1', scope: 'host' }, 'local 127.0.0.1 dev lo table local scope host src 127.0.0.1'],
    [{ family: 4, table: 255, type: 'broadcast', dst: '127.255.255.255/32', dev: 'lo', prefsrc: '127.0.0.1', scope: 'link' }, 'broadcast 127.255.255.255 dev lo table local scope link src 127.0.0.1'],
    [{ family: 4, table: 255, type: 'local', dst: '192.168.127.1/32', dev: 'vx0', prefsrc: '192.168.127.1', scope: 'host' }, 'local 192.168.127.1 dev vx0 table local scope host src 192.168.127.1'],
    [{ family: 4, table: 255, type: 'broadcast', dst: '192.168.127.3/32', dev: 'vx0', prefsrc: '192.168.127.1', scope: 'link' }, 'broadcast 192.168.127.3 dev vx0 table local scope link src 192.168.127.1'],
    [{ family: 6, table: 150, type: 'local', dst: '::/0', dev: 'lo', metric: 1024 }, 'local default dev lo table 150 metric 1024'],
    [{ family: 6, table: 254, type: 'unicast', dst: 'fd00::/64', dev: 'va', metric: 256 }, 'fd00::/64 dev va metric 256'],
    [{ family: 6, table: 254, type: 'unicast', dst: 'fd01::/64', gateway: 'fd00::2', dev: 'va', metric: 1024 }, 'fd01::/64 via fd00::2 dev va metric 1024'],
    ...['va', 'p2', 'p1', 'vx0'].map((dev): [Partial<Route> & Pick<Route, 'family' | 'table' | 'type' | 'dst'>, string] => [{ family: 6, table: 254, type: 'unicast', dst: 'fe80::/64', dev, metric: 256 }, `fe80::/64 dev ${dev} metric 256`]),
    [{ family: 6, table: 255, type: 'local', dst: '::1/128', dev: 'lo', metric: 0 }, 'local ::1 dev lo table local metric 0'],
    [{ family: 6, table: 255, type: 'local', dst: 'fd00::1/128', dev: 'va', metric: 0 }, 'local fd00::1 dev va table local metric 0'],
    ...['va', 'p2', 'p1', 'vx0'].map((dev): [Partial<Route> & Pick<Route, 'family' | 'table' | 'type' | 'dst'>, string] => [{ family: 6, table: 255, type: 'multicast', dst: 'ff00::/8', dev, metric: 256 }, `multicast ff00::/8 dev ${dev} table local metric 256`]),
  ];
  const canonical = (r: object) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b))));
  const got = routes.map((r) => canonical(JSON.parse(key(r)) as object)).sort();
  const want = rows.map(([r, text]) => canonical({ ...r, evidence: text })).sort();
  assert.deepEqual(got, want);
});
