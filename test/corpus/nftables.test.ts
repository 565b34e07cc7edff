import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chainKey, type NfFamily } from '../../src/model/netfilter.ts';
import { CORPUS_ABSENT, corpusDir } from '../support/corpus.ts';
import { kernelUnavailable, TempNetns } from '../support/netns.ts';
import { loadNftGolden, NFT_GOLDEN_TOOLS } from '../support/nft-golden.ts';

/**
 * Every native-nftables golden of Istio (knftables transactions for `nft -f`) is loaded into a fresh
 * netns, dumped with `nft -j list ruleset` and parsed: the parser must understand every expression Istio
 * writes, and every rule must land in its chain.
 */

const DIRS = ['nftables/sidecar-master', 'nftables/ambient-inpod-master'];
const corpus = corpusDir();
const skip = corpus ? kernelUnavailable(NFT_GOLDEN_TOOLS) : CORPUS_ABSENT;

function goldens(): string[] {
  if (!corpus) return [];
  return DIRS.flatMap((d) => readdirSync(path.join(corpus, d)).filter((f) => f.endsWith('.golden')).map((f) => path.join(d, f)));
}

/** What the golden declares: rules per chain (add and insert), and each base chain's hook line. */
function expectations(golden: string): { rules: Record<string, number>; bases: Record<string, { type: string; hook: string; priority: number }> } {
  const rules: Record<string, number> = {};
  const bases: Record<string, { type: string; hook: string; priority: number }> = {};
  for (const line of golden.split('\n')) {
    const chain = /^add chain (\S+) (\S+) (\S+)(?: \{ type (\S+) hook (\S+) priority (-?\d+) ; \})?$/.exec(line);
    if (chain) {
      const key = chainKey(chain[1] as NfFamily, chain[2], chain[3]);
      rules[key] = 0;
      if (chain[4]) bases[key] = { type: chain[4], hook: chain[5], priority: Number(chain[6]) };
    }
    const rule = /^(?:add|insert) rule (\S+) (\S+) (\S+) /.exec(line);
    if (rule) rules[chainKey(rule[1] as NfFamily, rule[2], rule[3])]++;
  }
  return { rules, bases };
}

for (const rel of goldens()) {
  test(`corpus nftables: ${rel}`, { skip }, () => {
    const golden = readFileSync(path.join(corpus!, rel), 'utf8');
    const ns = new TempNetns();
    try {
      const rs = loadNftGolden(ns, golden);
      const unsupported = [...rs.chains.values()].flatMap((c) =>
        c.rules.flatMap((r) => [...r.matches, ...r.actions].filter((x) => x.kind === 'unsupported').map((x) => `${r.evidence.text}: ${(x as { text: string }).text}`)),
      );
      assert.deepEqual(unsupported, []);
      const { rules, bases } = expectations(golden);
      assert.deepEqual(Object.fromEntries([...rs.chains].map(([k, c]) => [k, c.rules.length])), rules);
      assert.ok(Object.keys(bases).length > 0, 'the golden declares base chains');
      for (const [key, b] of Object.entries(bases)) {
        const base = rs.chains.get(key)!.base!;
        assert.deepEqual({ type: base.type, hook: base.hook, priority: base.priority }, b, key);
      }
      assert.deepEqual(rs.iptablesNftTables, []);
      assert.equal(rs.unevaluated, undefined);
    } finally {
      ns.dispose();
    }
  });
}
