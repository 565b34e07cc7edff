import { failure } from '../../support/failure.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseIptablesSave } from '../../../src/parse/iptables-save.ts';
import type { Ruleset } from '../../../src/model/netfilter.ts';
import { projectRoot } from '../../support/corpus.ts';
import { kubeProxyIptables, syntheticServices } from '../../../bench/synthetic.ts';

type Backend = 'iptables' | 'ip6tables';

/** Every chain as plain data; reading `rules` parses a deferred chain. */
function whole(rs: Ruleset): unknown {
  return {
    backend: rs.backend,
    sets: rs.sets,
    iptablesNftTables: rs.iptablesNftTables,
    chains: [...rs.chains].map(([key, c]) => [key, { family: c.family, table: c.table, name: c.name, base: c.base, counters: c.counters, evidence: c.evidence, rules: c.rules }]),
  };
}


const eager = (text: string, backend: Backend = 'iptables'): Ruleset => parseIptablesSave(text, 'f.txt', backend);
const deferred = (text: string, backend: Backend = 'iptables'): Ruleset => parseIptablesSave(text, 'f.txt', backend, { deferRules: true });

describe('deferred iptables rules parse to what an eager parse gives', () => {
  const files = (readdirSync(path.join(projectRoot, 'examples'), { recursive: true }) as string[]).filter((f) => /ip6?tables-save\.txt$/.test(f)).sort();
  it('finds the example dumps', () => assert.ok(files.length >= 20, `${files.length} dumps`));
  for (const f of files) {
    it(f, () => {
      const text = readFileSync(path.join(projectRoot, 'examples', f), 'utf8');
      const backend: Backend = f.endsWith('ip6tables-save.txt') ? 'ip6tables' : 'iptables';
      assert.deepEqual(whole(deferred(text, backend)), whole(eager(text, backend)));
    });
  }

  it('kube-proxy rules for 300 Services', () => {
    const base = readFileSync(path.join(projectRoot, 'examples/sidecar-iptables/nodes/node-a/iptables-save.txt'), 'utf8');
    const { text } = kubeProxyIptables(base, syntheticServices(300));
    assert.deepEqual(whole(deferred(text)), whole(eager(text)));
  });

  it('a chain declared after a rule that names it is a target there, as when parsed at once', () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j LATE\n:LATE - [0:0]\n-A INPUT -j LATE\nCOMMIT\n';
    assert.deepEqual(deferred(text).chains.get('ip/filter/INPUT')!.rules.map((r) => r.actions), [[{ kind: 'unsupported', text: '-j LATE' }], [{ kind: 'jump', chain: 'LATE' }]]);
    assert.deepEqual(whole(deferred(text)), whole(eager(text)));
  });
});

describe('deferred iptables rules: errors', () => {
  const TABLE = '*filter\n:INPUT ACCEPT [0:0]\n:OTHER - [0:0]\n';
  it('the structure fails at once, as an eager parse does', () => {
    const cases = [
      '-A INPUT -j ACCEPT\n',
      `${TABLE}-A NOPE -j ACCEPT\nCOMMIT\n`,
      `${TABLE}-X INPUT\nCOMMIT\n`,
      `${TABLE}[x:1] -A INPUT -j ACCEPT\nCOMMIT\n`,
      `${TABLE}-A "INPUT -j ACCEPT\nCOMMIT\n`,
      `${TABLE}`,
      '*nope\nCOMMIT\n',
      '*filter\n:constructor - [0:0]\nCOMMIT\n*filter\nCOMMIT\n',
    ];
    for (const text of cases) {
      const want = failure(() => eager(text));
      assert.notEqual(want, 'no error', text);
      assert.deepEqual(failure(() => deferred(text)), want, text);
    }
  });

  it('an error inside a rule surfaces when its chain is read, naming file and line', () => {
    const text = `${TABLE}-A OTHER -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 99999 -j ACCEPT\n-A INPUT -m comment --comment "open\nCOMMIT\n`;
    const rs = deferred(text);
    assert.deepEqual(rs.chains.get('ip/filter/OTHER')!.rules.map((r) => r.actions), [[{ kind: 'accept' }]]);
    const want = failure(() => eager(text));
    assert.deepEqual(failure(() => rs.chains.get('ip/filter/INPUT')!.rules), want);
    assert.deepEqual((want as { where: unknown }).where, { line: 5 });
  });

  it('names such as constructor are chains and targets like any other', () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n:constructor - [0:0]\n-A INPUT -p constructor -j constructor\n-A INPUT -j toString\nCOMMIT\n';
    const rules = deferred(text).chains.get('ip/filter/INPUT')!.rules;
    assert.deepEqual(rules.map((r) => [r.matches, r.actions]), [
      [[{ kind: 'proto', protos: ['constructor'] }], [{ kind: 'jump', chain: 'constructor' }]],
      [[], [{ kind: 'unsupported', text: '-j toString' }]],
    ]);
    assert.deepEqual(whole(deferred(text)), whole(eager(text)));
  });
});
