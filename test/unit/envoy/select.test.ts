import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FilterChain, Listener, RouteConfig } from '../../../src/model/envoy.ts';
import { selectFilterChain } from '../../../src/engine/envoy/listener.ts';
import { selectRoute, selectVirtualHost } from '../../../src/engine/envoy/route.ts';
import { usableEndpoints } from '../../../src/engine/envoy/cluster.ts';
import type { ConnFacts } from '../../../src/engine/envoy/facts.ts';

const ev = { file: 'f.json', pointer: '/x' };
const chain = (name: string, match: FilterChain['match']): FilterChain => ({ name, match, filters: [], evidence: ev });
const lis = (chains: FilterChain[], dflt?: FilterChain): Listener => ({ name: 'l', useOriginalDst: false, bindToPort: true, filterChains: chains, defaultFilterChain: dflt, evidence: ev });
const facts = (f: Partial<ConnFacts>): ConnFacts => ({ srcIp: '10.0.0.9', transportProtocol: 'raw_buffer', applicationProtocols: [], dst: { ip: '10.1.2.3', port: 80 }, ...f });

describe('selectFilterChain (filter_chain_match order)', () => {
  const cases: { name: string; chains: FilterChain[]; dflt?: FilterChain; f: ConnFacts; want: string }[] = [
    { name: 'destination_port beats no port', chains: [chain('any', {}), chain('p80', { destinationPort: 80 })], f: facts({}), want: 'p80' },
    { name: 'no backtracking: port chain fails transport, the portless chain is not tried', chains: [chain('any', {}), chain('p80tls', { destinationPort: 80, transportProtocol: 'tls' })], f: facts({}), want: 'none' },
    { name: 'no backtracking falls to default_filter_chain', chains: [chain('p80tls', { destinationPort: 80, transportProtocol: 'tls' })], dflt: chain('dflt', {}), f: facts({}), want: 'dflt' },
    { name: 'most specific destination prefix', chains: [chain('all', { prefixRanges: ['0.0.0.0/0'] }), chain('24', { prefixRanges: ['10.1.2.0/24'] }), chain('16', { prefixRanges: ['10.1.0.0/16'] })], f: facts({}), want: '24' },
    { name: 'prefix of the other family does not match', chains: [chain('v6', { prefixRanges: ['::/0'] }), chain('none', { destinationPort: 81 })], f: facts({}), want: 'none' },
    { name: 'exact server name beats wildcard', chains: [chain('wild', { serverNames: ['*.example.com'] }), chain('exact', { serverNames: ['www.example.com'] })], f: facts({ serverName: 'www.example.com', transportProtocol: 'tls' }), want: 'exact' },
    { name: 'longest wildcard wins', chains: [chain('com', { serverNames: ['*.com'] }), chain('ex', { serverNames: ['*.example.com'] })], f: facts({ serverName: 'a.b.example.com' }), want: 'ex' },
    { name: 'transport protocol', chains: [chain('tls', { transportProtocol: 'tls' }), chain('raw', { transportProtocol: 'raw_buffer' })], f: facts({ transportProtocol: 'tls' }), want: 'tls' },
    { name: 'application protocols intersect', chains: [chain('h', { applicationProtocols: ['http/1.1', 'h2c'] }), chain('tcp', {})], f: facts({ applicationProtocols: ['h2c'] }), want: 'h' },
    { name: 'application protocols absent: chains requiring ALPN are out', chains: [chain('h', { applicationProtocols: ['http/1.1'] }), chain('tcp', {})], f: facts({}), want: 'tcp' },
    { name: 'source type SAME_IP_OR_LOOPBACK', chains: [chain('any', {}), chain('local', { sourceType: 'SAME_IP_OR_LOOPBACK' })], f: facts({ srcIp: '127.0.0.6' }), want: 'local' },
    { name: 'most specific source prefix', chains: [chain('s8', { sourcePrefixRanges: ['10.0.0.0/8'] }), chain('s32', { sourcePrefixRanges: ['10.0.0.9/32'] })], f: facts({}), want: 's32' },
    { name: 'source port', chains: [chain('sp', { sourcePorts: [5000] }), chain('any', {})], f: facts({ srcPort: 5000 }), want: 'sp' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = selectFilterChain(lis(c.chains, c.dflt), c.f);
      assert.equal(got.chain?.name ?? 'none', c.want);
    });
  }

  it('filter_chain_matcher: application-protocol input, on_no_match', () => {
    const l = lis([chain('direct-http', {}), chain('direct-tcp', {})]);
    const act = (name: string) => ({ action: name, evidence: ev });
    l.filterChainMatcher = { input: 'application-protocol', exact: new Map([["'http/1.1'", act('direct-http')], ["'h2c'", act('direct-http')]]), onNoMatch: act('direct-tcp'), evidence: ev };
    assert.equal(selectFilterChain(l, facts({ applicationProtocols: ['http/1.1'] })).chain?.name, 'direct-http');
    assert.equal(selectFilterChain(l, facts({})).chain?.name, 'direct-tcp');
  });

  it('filter_chain_matcher: IP ranges most specific first, falling back when the nested matcher fails', () => {
    const l = lis([chain('wide', {}), chain('narrow', {})]);
    const act = (name: string) => ({ action: name, evidence: ev });
    const port81 = { matcher: { input: 'destination-port' as const, exact: new Map([['81', act('narrow')]]), evidence: ev } };
    l.filterChainMatcher = { input: 'destination-ip', ranges: [{ cidrs: ['10.0.0.0/8'], exclusive: false, onMatch: act('wide') }, { cidrs: ['10.1.2.3/32'], exclusive: false, onMatch: port81 }], evidence: ev };
    assert.equal(selectFilterChain(l, facts({ dst: { ip: '10.1.2.3', port: 81 } })).chain?.name, 'narrow');
    assert.equal(selectFilterChain(l, facts({ dst: { ip: '10.1.2.3', port: 80 } })).chain?.name, 'wide');
    l.filterChainMatcher.ranges![1].exclusive = true;
    assert.equal(selectFilterChain(l, facts({ dst: { ip: '10.1.2.3', port: 80 } })).chain, undefined);
  });
});

describe('selectVirtualHost / selectRoute', () => {
  const vh = (name: string, domains: string[]) => ({ name, domains, routes: [], evidence: ev });
  const rc: RouteConfig = { name: 'r', evidence: ev, virtualHosts: [vh('star', ['*']), vh('prefix', ['foo.*']), vh('suffix', ['*.example.com']), vh('longsuffix', ['*.api.example.com']), vh('exact', ['api.example.com', 'api.example.com:80'])] };
  const hosts: [string, string][] = [
    ['api.example.com', 'exact'],
    ['API.example.com:80', 'exact'],
    ['v1.api.example.com', 'longsuffix'],
    ['www.example.com', 'suffix'],
    ['foo.bar', 'prefix'],
    ['other', 'star'],
  ];
  for (const [host, want] of hosts) it(`host ${host} → ${want}`, () => assert.equal(selectVirtualHost(rc, host)?.name, want));

  const route = (name: string, match: object) => ({ name, match, cluster: name, evidence: ev });
  const v = { name: 'v', domains: ['*'], evidence: ev, routes: [route('exact', { path: '/login' }), route('regex', { safeRegex: '/api/v[0-9]+' }), route('hdr', { prefix: '/', headers: [{ name: 'end-user', value: 'jason' }] }), route('ci', { prefix: '/STATIC', caseSensitive: false }), route('connect', { connect: true }), route('root', { prefix: '/' })] };
  const paths: [string, boolean, string][] = [
    ['/login?x=1', false, 'exact'],
    ['/login/2', false, 'root'],
    ['/api/v2', false, 'regex'],
    ['/api/v2/x', false, 'root'],
    ['/static/a.css', false, 'ci'],
    ['/', true, 'connect'],
  ];
  for (const [path, connect, want] of paths) it(`${connect ? 'CONNECT' : path} → ${want}`, () => assert.equal(selectRoute(v, { host: 'h', path, connect })?.name, want));
});

describe('usableEndpoints', () => {
  const ep = (ip: string, health: string, priority?: number) => ({ address: { ip, port: 80 }, health, priority, evidence: ev });
  it('healthy by priority, then degraded; unhealthy and draining excluded', () => {
    const got = usableEndpoints([ep('a', 'UNHEALTHY'), ep('b', 'DEGRADED'), ep('c', 'HEALTHY', 1), ep('d', 'UNKNOWN', 0), ep('e', 'DRAINING')]);
    assert.deepEqual(got.map((e) => e.address?.ip), ['d', 'c', 'b']);
  });
});
