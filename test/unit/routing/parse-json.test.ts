import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpLink } from '../../../src/parse/ip-link.ts';
import { parseIpAddr } from '../../../src/parse/ip-addr.ts';
import { parseIpRule } from '../../../src/parse/ip-rule.ts';
import { parseIpRoute } from '../../../src/parse/ip-route.ts';
import { routeLookup } from '../../../src/engine/routing/lookup.ts';
import { InputError } from '../../../src/model/evidence.ts';

const F = 'nodes/n/x.json';

test('geneve links use iproute2 field names (iplink_geneve.c): id, remote/remote6, port default 6081', () => {
  const text = JSON.stringify([
    { ifindex: 9, ifname: 'istioout', flags: ['BROADCAST', 'UP', 'LOWER_UP'], link_type: 'ether', linkinfo: { info_kind: 'geneve', info_data: { id: 1001, remote: '10.244.1.3', ttl: 0, port: 6081 } } },
    { ifindex: 10, ifname: 'g6', flags: ['UP'], linkinfo: { info_kind: 'geneve', info_data: { id: 7, remote6: 'fd00::3' } } },
    { ifindex: 11, ifname: 'gx', operstate: 'UNKNOWN', linkinfo: { info_kind: 'geneve', info_data: { external: true } } },
    { ifindex: 12, ifname: 'ipip0', link_type: 'ipip', linkinfo: { info_kind: 'ipip' } },
  ]);
  assert.deepEqual(parseIpLink(text, F).map(({ evidence, ...l }) => [l, evidence.text]), [
    [{ ifindex: 9, ifname: 'istioout', kind: 'geneve', up: true, tunnel: { id: 1001, port: 6081, remote: '10.244.1.3' } }, '9: istioout: up geneve id 1001 remote 10.244.1.3 dstport 6081'],
    [{ ifindex: 10, ifname: 'g6', kind: 'geneve', up: false, tunnel: { id: 7, port: 6081, remote: 'fd00::3' } }, '10: g6: down geneve id 7 remote fd00::3 dstport 6081'],
    [{ ifindex: 11, ifname: 'gx', kind: 'geneve', up: true }, '11: gx: up geneve'],
    [{ ifindex: 12, ifname: 'ipip0', kind: 'other', up: false }, '12: ipip0: down other'],
  ]);
});

test('rules: legacy value/mask fwmark, ports, ipproto, unsupported selectors, detached devices', () => {
  const text = JSON.stringify([
    { priority: 5, src: 'all', fwmark: '0x100/0x100', table: 'default' },
    { priority: 6, src: 'all', ipproto: 'tcp', sport_start: 1000, sport_end: 2000, dport: 80, table: 7 },
    { priority: 7, src: 'all', uid_start: 1, uid_end: 2, tos: '0x10', table: '7' },
    { priority: 8, src: 'all', iif: 'gone', iif_detached: null, table: 'main' },
  ]);
  assert.deepEqual(parseIpRule(text, F).map(({ evidence, ...r }) => [r, evidence.text]), [
    [{ family: 4, priority: 5, action: 'lookup', fwmark: { value: 0x100, mask: 0x100 }, table: 253 }, '5: from all fwmark 0x100/0x100 lookup default'],
    [{ family: 4, priority: 6, action: 'lookup', ipproto: 6, sport: { start: 1000, end: 2000 }, dport: { start: 80, end: 80 }, table: 7 }, '6: from all ipproto 6 sport 1000-2000 dport 80 lookup 7'],
    [{ family: 4, priority: 7, action: 'lookup', unsupported: ['tos', 'uidrange'], table: 7 }, '7: from all tos uidrange lookup 7'],
    [{ family: 4, priority: 8, action: 'lookup', iif: 'gone', detached: true, table: 254 }, '8: from all iif gone lookup main'],
  ]);
});

test('routes: multipath next hops, via of another family, default family from pref', () => {
  const text = JSON.stringify([
    { dst: '10.9.0.0/16', nexthops: [{ gateway: '10.1.0.2', dev: 'eth0', weight: 1, flags: [] }, { gateway: '10.1.0.3', dev: 'eth1', weight: 2, flags: ['onlink'] }], flags: [] },
    { dst: '10.8.0.0/16', via: { family: 'inet6', host: 'fe80::1' }, dev: 'eth0', flags: [] },
    { type: 'unreachable', dst: 'default', dev: 'lo', metric: 4294967295, flags: [], pref: 'medium' },
  ]);
  assert.deepEqual(parseIpRoute(text, F).map(({ evidence, ...r }) => [r, evidence.text]), [
    [{ family: 4, table: 254, type: 'unicast', dst: '10.9.0.0/16', gateway: '10.1.0.2', dev: 'eth0', nexthops: [{ gateway: '10.1.0.2', dev: 'eth0', weight: 1 }, { gateway: '10.1.0.3', dev: 'eth1', weight: 2, onlink: true }] }, '10.9.0.0/16 nexthop via 10.1.0.2 dev eth0 weight 1 nexthop via 10.1.0.3 dev eth1 weight 2'],
    [{ family: 4, table: 254, type: 'unicast', dst: '10.8.0.0/16', gateway: 'fe80::1', dev: 'eth0' }, '10.8.0.0/16 via fe80::1 dev eth0'],
    [{ family: 6, table: 254, type: 'unreachable', dst: '::/0', dev: 'lo', metric: 4294967295 }, 'unreachable default dev lo metric 4294967295'],
  ]);
});

test('malformed ip JSON is an InputError naming the file and pointer', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => parseIpRoute('[{"dst":"default","table":"istio"}]', F), /x\.json#\/0\/table: unknown routing table name "istio" \(hint: .*rt_tables/],
    [() => parseIpRoute('[{"dst":5}]', F), /#\/0\/dst: expected a destination/],
    [() => parseIpRoute('[{"dst":"default","type":"nat"}]', F), /#\/0\/type: expected a route type/],
    [() => parseIpRoute('{"dst":"default"}', F), /x\.json#: expected a JSON array/],
    [() => parseIpRoute('[{"dst":', F), /x\.json:1: invalid JSON/],
    [() => parseIpRule('[{"priority":1,"src":"all"}]', F), /#\/0: expected a rule with `table`/],
    [() => parseIpRule('[{"priority":1,"src":"fd00::","srclen":64,"table":"main"}]', F), /#\/0\/src: IPv6 address "fd00::" in a file of IPv4 rules/],
    [() => parseIpRule('[{"priority":1,"fwmark":"0xzz","table":"main"}]', F), /#\/0\/fwmark: expected a mark/],
    [() => parseIpRule('[{"priority":1,"ipproto":"bogus","table":"main"}]', F), /#\/0\/ipproto: unknown IP protocol/],
    [() => parseIpRule('[{"src":"all","table":"main"}]', F), /#\/0\/priority: expected a rule priority/],
    [() => parseIpLink('[{"ifindex":1}]', F), /#\/0\/ifname: expected an interface name/],
    [() => parseIpLink('[{"ifindex":1,"ifname":"g","linkinfo":{"info_kind":"geneve","info_data":{"id":"x"}}}]', F), /#\/0\/linkinfo\/info_data\/id: expected a VNI/],
    [() => parseIpAddr('[{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"1.2.3.4","prefixlen":40}]}]', F), /#\/0\/addr_info\/0\/prefixlen: prefix length 40 out of range/],
  ];
  for (const [run, message] of cases) assert.throws(run, (e: unknown) => e instanceof InputError && message.test(e.message), String(message));
});

test('routeLookup without rules uses the kernel defaults and says so', () => {
  const routes = parseIpRoute(JSON.stringify([{ dst: 'default', gateway: '10.0.0.1', dev: 'eth0', flags: [] }, { type: 'local', dst: '10.0.0.5', dev: 'eth0', table: 'local', flags: [] }]), 'r.json');
  const r = routeLookup({ rules: [], routes, addrs: [], rulesFile: 'nodes/n/ip-rule.json' }, { dst: '8.8.8.8', mark: 0 });
  assert.equal(r.kind, 'unicast');
  assert.deepEqual(r.steps.map((s) => [s.kind, s.note]), [
    ['default-rules', 'no IPv4 rules in the snapshot: using the kernel defaults (0: from all lookup local, 32766: from all lookup main, 32767: from all lookup default)'],
    ['rule', 'selector matched'],
    ['table', 'table 255 has no route to 8.8.8.8; the next rule is tried'],
    ['rule', 'selector matched'],
    ['table', 'table 254: default via 10.0.0.1 dev eth0'],
  ]);
  assert.deepEqual(r.steps[0].evidence[0], { file: 'nodes/n/ip-rule.json', missing: true, text: '0: from all lookup local' });
  const v6 = routeLookup({ rules: [], routes, addrs: [] }, { dst: 'fd00::1', mark: 0 });
  assert.equal(v6.kind, 'no-route');
  assert.deepEqual(v6.kind === 'no-route' && v6.tried.map((t) => t.table), [255, 254]);
});
