import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Action, Match } from '../../../src/model/netfilter.ts';
import { affine, toClearXor } from '../../../src/parse/nftables/bitwise.ts';
import { and, ct, match, meta, parseRule, payload } from './helpers.ts';

const FULL = 0xffffffff;
const mangle = (key: unknown, value: unknown) => ({ mangle: { key, value } });

const cases: { name: string; expr: unknown[]; want: Action[]; matches?: Match[] }[] = [
  { name: 'accept', expr: [{ accept: null }], want: [{ kind: 'accept' }] },
  { name: 'drop', expr: [{ drop: null }], want: [{ kind: 'drop' }] },
  { name: 'return', expr: [{ return: null }], want: [{ kind: 'return' }] },
  { name: 'jump names a chain of the same table', expr: [{ jump: { target: 'istio-output' } }], want: [{ kind: 'jump', chain: 'istio-output' }] },
  { name: 'goto', expr: [{ goto: { target: 'x' } }], want: [{ kind: 'goto', chain: 'x' }] },
  { name: 'reject', expr: [{ reject: null }], want: [{ kind: 'reject' }] },
  { name: 'reject with tcp reset', expr: [{ reject: { type: 'tcp reset' } }], want: [{ kind: 'reject', with: 'tcp reset' }] },
  { name: 'reject with icmpx', expr: [{ reject: { type: 'icmpx', expr: 'port-unreachable' } }], want: [{ kind: 'reject', with: 'icmpx port-unreachable' }] },
  { name: 'counter then accept', expr: [{ counter: { packets: 0, bytes: 0 } }, { accept: null }], want: [{ kind: 'counter' }, { kind: 'accept' }] },
  { name: 'redirect to :15006', expr: [{ redirect: { port: 15006 } }], want: [{ kind: 'redirect', ports: [15006, 15006] }] },
  { name: 'redirect without port', expr: [{ redirect: null }], want: [{ kind: 'redirect' }] },
  { name: 'redirect to port range', expr: [{ redirect: { port: { range: [15000, 15010] } } }], want: [{ kind: 'redirect', ports: [15000, 15010] }] },
  { name: 'dnat ip to addr:port', expr: [{ dnat: { family: 'ip', addr: '10.0.0.1', port: 8080 } }], want: [{ kind: 'dnat', addr: '10.0.0.1', ports: [8080, 8080] }], matches: [{ kind: 'nfproto', family: 'ipv4' }] },
  {
    name: 'snat ip6 to addr',
    expr: [{ snat: { family: 'ip6', addr: 'e9ac:1e77:90ca:399f:4d6d:ece2:2f9b:3164' } }],
    want: [{ kind: 'snat', addr: 'e9ac:1e77:90ca:399f:4d6d:ece2:2f9b:3164' }],
    matches: [{ kind: 'nfproto', family: 'ipv6' }],
  },
  { name: 'masquerade', expr: [{ masquerade: null }], want: [{ kind: 'masquerade' }] },
  { name: 'masquerade to ports', expr: [{ masquerade: { port: { range: [1024, 2048] } } }], want: [{ kind: 'masquerade', ports: [1024, 2048] }] },
  {
    name: 'tproxy is not terminal; what follows still runs',
    expr: [{ tproxy: { family: 'ip', port: 15006 } }, mangle(meta('mark'), 1337), { counter: { packets: 0, bytes: 0 } }, { accept: null }],
    want: [{ kind: 'tproxy', port: 15006, nonTerminal: true }, { kind: 'mark', clear: FULL, xor: 1337 }, { kind: 'counter' }, { kind: 'accept' }],
    matches: [{ kind: 'nfproto', family: 'ipv4' }],
  },
  { name: 'tproxy with address, no port keeps the dport', expr: [{ tproxy: { family: 'ip6', addr: '::1' } }], want: [{ kind: 'tproxy', port: 0, ip: '::1', nonTerminal: true }], matches: [{ kind: 'nfproto', family: 'ipv6' }] },
  { name: 'meta mark set constant', expr: [mangle(meta('mark'), 1338)], want: [{ kind: 'mark', clear: FULL, xor: 1338 }] },
  { name: 'meta mark set mark & ~m | v', expr: [mangle(meta('mark'), { '|': [and(meta('mark'), 0xfffff000), 0x111] })], want: [{ kind: 'mark', clear: 0xfff, xor: 0x111 }] },
  { name: 'meta mark set mark | v', expr: [mangle(meta('mark'), { '|': [meta('mark'), 0x100] })], want: [{ kind: 'mark', clear: 0x100, xor: 0x100 }] },
  { name: 'meta mark set mark ^ v', expr: [mangle(meta('mark'), { '^': [meta('mark'), 0x4] })], want: [{ kind: 'mark', clear: 0, xor: 0x4 }] },
  { name: 'meta mark set ct mark', expr: [mangle(meta('mark'), ct('mark'))], want: [{ kind: 'connmark-restore', nfmask: FULL, ctmask: FULL }] },
  { name: 'meta mark set ct mark & m', expr: [mangle(meta('mark'), and(ct('mark'), 0xfff))], want: [{ kind: 'connmark-restore', nfmask: FULL, ctmask: 0xfff }] },
  // nft prints `ct mark & 0xfffff000 | 0x111` back as `ct mark & 0xfffff111 | 0x111`: the same function.
  { name: 'ct mark set ct mark & m | v (as nft prints it)', expr: [mangle(ct('mark'), { '|': [and(ct('mark'), 0xfffff111), 0x111] })], want: [{ kind: 'connmark-set', clear: 0xfff, xor: 0x111 }] },
  { name: 'ct mark set constant', expr: [mangle(ct('mark'), 7)], want: [{ kind: 'connmark-set', clear: FULL, xor: 7 }] },
  { name: 'ct mark set meta mark', expr: [mangle(ct('mark'), meta('mark'))], want: [{ kind: 'connmark-save', nfmask: FULL, ctmask: FULL }] },
  { name: 'ct mark set meta mark & m', expr: [mangle(ct('mark'), and(meta('mark'), 0xfff))], want: [{ kind: 'connmark-save', nfmask: 0xfff, ctmask: FULL }] },
  { name: 'ct zone set', expr: [mangle(ct('zone'), 2)], want: [{ kind: 'ct', zone: 2 }] },
  { name: 'notrack', expr: [{ notrack: null }], want: [{ kind: 'ct', notrack: true }] },
  { name: 'log', expr: [{ log: null }], want: [{ kind: 'log' }] },
  { name: 'log prefix', expr: [{ log: { prefix: 'istio: ' } }], want: [{ kind: 'log', prefix: 'istio: ' }] },
  { name: 'meta nftrace set 1', expr: [mangle(meta('nftrace'), 1)], want: [{ kind: 'trace' }] },
  { name: 'unknown statement', expr: [{ limit: { rate: 10, per: 'second' } }], want: [{ kind: 'unsupported', text: 'limit {"rate":10,"per":"second"}' }] },
  { name: 'meta priority set', expr: [mangle(meta('priority'), 1)], want: [{ kind: 'unsupported', text: 'meta priority set 1' }] },
  { name: 'mark from two registers', expr: [mangle(meta('mark'), { '|': [meta('mark'), ct('mark')] })], want: [{ kind: 'unsupported', text: 'meta mark set meta mark | ct mark' }] },
  { name: 'xt target', expr: [{ xt: { type: 'target', name: 'REDIRECT' } }], want: [{ kind: 'unsupported', text: 'xt target REDIRECT' }] },
  {
    name: 'a condition after a packet-changing statement',
    expr: [mangle(meta('mark'), 1), match(payload('tcp', 'dport'), '==', 80), { accept: null }],
    want: [{ kind: 'mark', clear: FULL, xor: 1 }, { kind: 'accept' }],
    matches: [{ kind: 'unsupported', text: 'tcp dport 80 (a condition after a statement that changed the packet)' }],
  },
  {
    name: 'a condition after a counter is plain',
    expr: [{ counter: { packets: 0, bytes: 0 } }, match(payload('tcp', 'dport'), '==', 80), { accept: null }],
    want: [{ kind: 'counter' }, { kind: 'accept' }],
    matches: [{ kind: 'proto', protos: ['tcp'] }, { kind: 'dport', ranges: [[80, 80]] }],
  },
];

for (const c of cases) {
  test(`statement: ${c.name}`, () => {
    const rule = parseRule(c.expr);
    assert.deepEqual(rule.actions, c.want);
    assert.deepEqual(rule.matches, c.matches ?? []);
  });
}

test('statement: counters are kept from the counter statement', () => {
  assert.deepEqual(parseRule([{ counter: { packets: 3, bytes: 180 } }, { accept: null }]).counters, { packets: 3, bytes: 180 });
});

/** The reduction must agree with evaluating the expression on any 32-bit mark. */
test('statement: affine reduction equals direct 32-bit evaluation', () => {
  const X = meta('mark');
  type E = { e: unknown; f: (x: number) => number };
  const u32 = fc.integer({ min: 0, max: FULL });
  const expr: fc.Arbitrary<E> = fc.letrec<{ e: E }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant<E>({ e: X, f: (x) => x }),
      fc.tuple(tie('e'), fc.constantFrom('&', '|', '^'), u32).map(([a, op, c]): E => ({
        e: { [op]: [a.e, c] },
        f: (x) => (op === '&' ? a.f(x) & c : op === '|' ? a.f(x) | c : a.f(x) ^ c) >>> 0,
      })),
    ),
  })).e;
  fc.assert(
    fc.property(expr, u32, ({ e, f }, x) => {
      const { clear, xor } = toClearXor(affine(e, (v) => v === X)!);
      return ((x & ~clear) ^ xor) >>> 0 === f(x);
    }),
  );
});
