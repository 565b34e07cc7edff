import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/model/evidence.ts';
import { parseNftJson } from '../../../src/parse/nft-json.ts';
import { ruleDoc } from './helpers.ts';

const doc = (...objects: unknown[]) => JSON.stringify({ nftables: [{ metainfo: { json_schema_version: 1 } }, ...objects] });
const table = (family: string, name: string) => ({ table: { family, name, handle: 1 } });
const chain = (family: string, t: string, name: string, base?: Record<string, unknown>) => ({ chain: { family, table: t, name, handle: 2, ...base } });

test('ruleset: base and regular chains, keyed by family/table/name', () => {
  const rs = parseNftJson(
    doc(table('inet', 'istio-ambient-nat'), chain('inet', 'istio-ambient-nat', 'output', { type: 'nat', hook: 'output', prio: -100, policy: 'accept' }), chain('inet', 'istio-ambient-nat', 'istio-output')),
    'pods/default/a/nft.json',
  );
  assert.equal(rs.backend, 'nftables');
  assert.deepEqual([...rs.chains.keys()], ['inet/istio-ambient-nat/output', 'inet/istio-ambient-nat/istio-output']);
  assert.deepEqual(rs.chains.get('inet/istio-ambient-nat/output'), {
    family: 'inet',
    table: 'istio-ambient-nat',
    name: 'output',
    base: { hook: 'output', priority: -100, type: 'nat', policy: 'accept' },
    rules: [],
    evidence: { file: 'pods/default/a/nft.json', pointer: '/nftables/2', text: 'chain inet istio-ambient-nat output { type nat hook output priority -100; policy accept; }' },
  });
  assert.equal(rs.chains.get('inet/istio-ambient-nat/istio-output')!.base, undefined);
  assert.deepEqual(rs.iptablesNftTables, []);
  assert.equal(rs.unevaluated, undefined);
});

const priorities: { prio: unknown; want: number }[] = [
  { prio: -150, want: -150 },
  { prio: 'raw', want: -300 },
  { prio: 'mangle', want: -150 },
  { prio: 'dstnat', want: -100 },
  { prio: 'filter', want: 0 },
  { prio: 'security', want: 50 },
  { prio: 'srcnat', want: 100 },
  { prio: 'mangle - 5', want: -155 },
  { prio: 'dstnat + 10', want: -90 },
];
for (const { prio, want } of priorities) {
  test(`ruleset: priority ${JSON.stringify(prio)} is ${want}`, () => {
    const rs = parseNftJson(doc(table('ip', 't'), chain('ip', 't', 'c', { type: 'filter', hook: 'prerouting', prio })), 'nft.json');
    assert.equal(rs.chains.get('ip/t/c')!.base!.priority, want);
  });
}

test('ruleset: rules keep order, index, chain key and evidence with the handle', () => {
  const rs = parseNftJson(
    doc(
      table('inet', 't'),
      chain('inet', 't', 'c'),
      { rule: { family: 'inet', table: 't', chain: 'c', handle: 7, expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 15008 } }, { accept: null }] } },
      { rule: { family: 'inet', table: 't', chain: 'c', handle: 9, expr: [{ redirect: { port: 15006 } }] } },
    ),
    'nft.json',
  );
  const rules = rs.chains.get('inet/t/c')!.rules;
  assert.deepEqual(
    rules.map((r) => [r.chain, r.index, r.evidence]),
    [
      ['inet/t/c', 0, { file: 'nft.json', pointer: '/nftables/3', text: 'tcp dport 15008 accept # handle 7' }],
      ['inet/t/c', 1, { file: 'nft.json', pointer: '/nftables/4', text: 'redirect to :15006 # handle 9' }],
    ],
  );
});

test('ruleset: named sets with their elements', () => {
  const rs = parseNftJson(
    doc(
      table('inet', 'n'),
      { set: { family: 'inet', table: 'n', name: 'probes-v4', type: 'ipv4_addr', handle: 1, elem: ['10.244.1.5', { prefix: { addr: '10.0.0.0', len: 8 } }, { range: ['10.1.0.1', '10.1.0.9'] }] } },
      { set: { family: 'inet', table: 'n', name: 'ports', type: 'inet_service', handle: 2, elem: [53, { elem: { val: 15008, timeout: 10 } }] } },
      { set: { family: 'inet', table: 'n', name: 'empty', type: 'ipv6_addr', handle: 3 } },
    ),
    'nft.json',
  );
  assert.deepEqual(
    [...rs.sets],
    [
      ['inet/n/probes-v4', ['10.244.1.5', '10.0.0.0/8', '10.1.0.1-10.1.0.9']],
      ['inet/n/ports', ['53', '15008']],
      ['inet/n/empty', []],
    ],
  );
});

test('ruleset: iptables-nft tables are listed, nft tables with the same names in inet are not', () => {
  const rs = parseNftJson(
    doc(
      table('ip', 'nat'),
      chain('ip', 'nat', 'OUTPUT', { type: 'nat', hook: 'output', prio: -100, policy: 'accept' }),
      chain('ip', 'nat', 'ISTIO_OUTPUT'),
      { rule: { family: 'ip', table: 'nat', chain: 'ISTIO_OUTPUT', handle: 5, expr: [{ xt: { type: 'match', name: 'owner' } }, { xt: { type: 'target', name: 'REDIRECT' } }] } },
      table('ip6', 'mangle'),
      chain('ip6', 'mangle', 'PREROUTING', { type: 'filter', hook: 'prerouting', prio: -150, policy: 'accept' }),
      table('ip', 'filter'),
      chain('ip', 'filter', 'input', { type: 'filter', hook: 'input', prio: 0, policy: 'accept' }),
      table('inet', 'nat'),
      chain('inet', 'nat', 'OUTPUT', { type: 'nat', hook: 'output', prio: -100, policy: 'accept' }),
    ),
    'nft.json',
  );
  assert.deepEqual(rs.iptablesNftTables, ['ip/nat', 'ip6/mangle']);
  const rule = rs.chains.get('ip/nat/ISTIO_OUTPUT')!.rules[0];
  assert.deepEqual([rule.matches, rule.actions], [[{ kind: 'unsupported', text: 'xt match owner' }], [{ kind: 'unsupported', text: 'xt target REDIRECT' }]]);
});

test('ruleset: tables of other families and ingress hooks are listed as unevaluated', () => {
  const rs = parseNftJson(
    doc(
      table('netdev', 'edge'),
      chain('netdev', 'edge', 'in', { type: 'filter', hook: 'ingress', dev: 'eth0', prio: 0, policy: 'accept' }),
      { rule: { family: 'netdev', table: 'edge', chain: 'in', handle: 3, expr: [{ drop: null }] } },
      table('inet', 't'),
      chain('inet', 't', 'early', { type: 'filter', hook: 'ingress', prio: 0, policy: 'accept' }),
    ),
    'nft.json',
  );
  assert.deepEqual(rs.unevaluated, [
    { what: 'table netdev edge', evidence: { file: 'nft.json', pointer: '/nftables/1', text: 'table netdev edge' } },
    { what: 'chain inet t early (hook ingress)', evidence: { file: 'nft.json', pointer: '/nftables/5', text: 'chain inet t early' } },
  ]);
  assert.deepEqual([...rs.chains.keys()], ['inet/t/early']);
  assert.equal(rs.chains.get('inet/t/early')!.base, undefined);
});

const bad: { name: string; text: string; pointer?: string; expected: RegExp }[] = [
  { name: 'not JSON', text: '{"nftables": [}', expected: /invalid JSON/ },
  { name: 'no nftables array', text: '{"tables": []}', pointer: '/nftables', expected: /nft -j list ruleset/ },
  { name: 'an entry that is not an object', text: '{"nftables": [42]}', pointer: '/nftables/0', expected: /one-key object/ },
  { name: 'a table without a name', text: doc({ table: { family: 'ip' } }), pointer: '/nftables/1/table/name', expected: /the table name/ },
  { name: 'a chain without a family', text: doc({ chain: { table: 't', name: 'c' } }), pointer: '/nftables/1/chain/family', expected: /the family name/ },
  { name: 'a rule before its chain', text: doc(table('ip', 't'), { rule: { family: 'ip', table: 't', chain: 'c', expr: [] } }), pointer: '/nftables/2/rule/chain', expected: /declared before its rules/ },
  { name: 'a rule without expr', text: doc(table('ip', 't'), chain('ip', 't', 'c'), { rule: { family: 'ip', table: 't', chain: 'c' } }), pointer: '/nftables/3/rule/expr', expected: /"expr" list/ },
  { name: 'an expression that is not one-key', text: ruleDoc([{ accept: null, drop: null }]), pointer: '/nftables/3/rule/expr/0', expected: /one-key expression/ },
  { name: 'a match without left', text: ruleDoc([{ match: { op: '==', right: 1 } }]), pointer: '/nftables/3/rule/expr/0/match', expected: /"op", "left" and "right"/ },
  { name: 'an unknown priority name', text: doc(table('ip', 't'), chain('ip', 't', 'c', { type: 'filter', hook: 'input', prio: 'soon' })), pointer: '/nftables/2/chain/prio', expected: /chain priority/ },
  { name: 'an unknown chain type', text: doc(table('ip', 't'), chain('ip', 't', 'c', { type: 'weird', hook: 'input', prio: 0 })), pointer: '/nftables/2/chain/type', expected: /chain type/ },
  { name: 'a bad policy', text: doc(table('ip', 't'), chain('ip', 't', 'c', { type: 'filter', hook: 'input', prio: 0, policy: 'maybe' })), pointer: '/nftables/2/chain/policy', expected: /policy accept or drop/ },
];
for (const c of bad) {
  test(`ruleset: bad input: ${c.name}`, () => {
    assert.throws(
      () => parseNftJson(c.text, 'pods/x/nft.json'),
      (err: unknown) => {
        assert.ok(err instanceof InputError, `not an InputError: ${String(err)}`);
        assert.equal(err.file, 'pods/x/nft.json');
        if (c.pointer !== undefined) assert.deepEqual(err.where, { pointer: c.pointer });
        assert.match(err.expected, c.expected);
        return true;
      },
    );
  });
}
