import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { corpusDir, CORPUS_ABSENT } from '../support/corpus.ts';
import { kernelUnavailable, TempNetns } from '../support/netns.ts';
import { parseIptablesSave } from '../../src/parse/iptables-save.ts';
import { tokenize } from '../../src/parse/iptables/tokenize.ts';

type Tool = 'iptables' | 'ip6tables';

/**
 * Goldens whose IPv4 commands carry the IPv6 probe address (a generator bug of Istio 1.21.0, see the
 * corpus README): the kernel refuses exactly those commands.
 */
const V4_WITH_V6_ADDRESS = new Set(['ambient-inpod-iptables/1.21.0/default_ipv6.golden', 'ambient-inpod-iptables/1.21.0/hostprobe_ipv6.golden']);

const IPV6_LITERAL = /(^|[\s[])[0-9a-f]{0,4}:[0-9a-f:]*:[0-9a-f]{0,4}/i;

/** One unit of loading: a restore blob or a single command, and the rules it adds per `table/chain`. */
interface Load {
  tool: Tool;
  restore?: string;
  command?: string[];
  rules: Map<string, number>;
}

function count(rules: Map<string, number>, table: string, args: string[]): void {
  const at = args.findIndex((a) => a === '-A' || a === '-I');
  if (at >= 0) rules.set(`${table}/${args[at + 1]}`, (rules.get(`${table}/${args[at + 1]}`) ?? 0) + 1);
}

/** RESTORE / RESTORE-TRANSCRIPT: drop the save probes, fix `* table`, and split the v4 blob from the v6 one. */
function restoreLoads(text: string): Load[] {
  const blobs: { lines: string[]; tables: Set<string> }[] = [];
  let cur: { lines: string[]; tables: Set<string> } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line === 'iptables-save' || line === 'ip6tables-save') continue;
    if (line.startsWith('*')) {
      const table = line.slice(1).trim();
      if (!cur || cur.tables.has(table)) blobs.push((cur = { lines: [], tables: new Set() }));
      cur.tables.add(table);
      cur.lines.push(`*${table}`);
    } else cur!.lines.push(line);
  }
  return blobs.map((b, i) => {
    const tool: Tool = blobs.length === 2 ? (i === 0 ? 'iptables' : 'ip6tables') : b.lines.some((l) => IPV6_LITERAL.test(l)) ? 'ip6tables' : 'iptables';
    const rules = new Map<string, number>();
    let table = '';
    for (const l of b.lines) {
      if (l.startsWith('*')) table = l.slice(1);
      else count(rules, table, tokenize(l)!);
    }
    return { tool, restore: b.lines.join('\n') + '\n', rules };
  });
}

/** CMDLIST: each line is one iptables / ip6tables command. */
function commandLoads(text: string): Load[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const [tool, ...args] = tokenize(l.trim())!;
    const rules = new Map<string, number>();
    const t = args.indexOf('-t');
    count(rules, t >= 0 ? args[t + 1] : 'filter', args);
    return { tool: tool as Tool, command: args, rules };
  });
}

/**
 * iptables resolves owner names on the loading host; names this host lacks (the goldens use
 * groups such as `ftp` and `java`) become stable numeric ids, which changes no rule shape.
 */
function numericOwners(text: string): string {
  const ids = new Map<string, number>();
  return text.replace(/(--[ug]id-owner) ([a-zA-Z_][\w-]*)/g, (_, opt: string, name: string) => {
    const known = spawnSync('getent', [opt === '--uid-owner' ? 'passwd' : 'group', name], { encoding: 'utf8' });
    if (known.status === 0) return `${opt} ${name}`;
    if (!ids.has(name)) ids.set(name, 60000 + ids.size);
    return `${opt} ${ids.get(name)}`;
  });
}

function goldens(root: string): string[] {
  return ['sidecar-iptables', 'ambient-inpod-iptables'].flatMap((top) =>
    readdirSync(path.join(root, top)).flatMap((sub) => readdirSync(path.join(root, top, sub)).map((f) => `${top}/${sub}/${f}`)),
  ).sort();
}

/**
 * The sets the rules reference, in the family of the last reference: 1.21.0 names one set for both
 * families, and there only the IPv6 reference can load (the IPv4 one carries an IPv6 address).
 */
function ipsetsOf(loads: Load[]): Map<string, 'inet' | 'inet6'> {
  const out = new Map<string, 'inet' | 'inet6'>();
  for (const l of loads) {
    const text = l.restore ?? l.command!.join(' ');
    for (const m of text.matchAll(/--match-set (\S+)/g)) out.set(m[1], l.tool === 'iptables' ? 'inet' : 'inet6');
  }
  return out;
}

test('every Istio iptables golden loads through the kernel and its dump parses with no unsupported construct', (t) => {
  const root = corpusDir();
  if (!root) return t.skip(CORPUS_ABSENT);
  const why = kernelUnavailable(['ip', 'ipset', 'iptables-save', 'iptables-restore', 'ip6tables-save', 'ip6tables-restore']);
  if (why) return t.skip(why);
  const files = goldens(root);
  assert.ok(files.length >= 89, `found ${files.length} goldens`);
  for (const rel of files) {
    const text = numericOwners(readFileSync(path.join(root, rel), 'utf8'));
    const loads = /^\s*\*/m.test(text) ? restoreLoads(text) : commandLoads(text);
    const ns = new TempNetns();
    try {
      for (const [name, family] of ipsetsOf(loads)) ns.run('ipset', ['create', name, 'hash:ip', 'family', family]);
      const expected: Record<Tool, Map<string, number>> = { iptables: new Map(), ip6tables: new Map() };
      const refused: string[] = [];
      for (const l of loads) {
        try {
          if (l.restore !== undefined) ns.run(`${l.tool}-restore`, ['--noflush'], l.restore);
          else ns.run(l.tool, l.command!);
        } catch {
          refused.push(`${l.tool} ${l.command?.join(' ') ?? '<restore>'}`);
          continue;
        }
        for (const [k, n] of l.rules) expected[l.tool].set(k, (expected[l.tool].get(k) ?? 0) + n);
      }
      const predicted = V4_WITH_V6_ADDRESS.has(rel) ? loads.filter((l) => l.tool === 'iptables' && IPV6_LITERAL.test(l.command!.join(' '))).map((l) => `iptables ${l.command!.join(' ')}`) : [];
      assert.deepEqual(refused, predicted, `${rel}: commands the kernel refused`);
      for (const tool of ['iptables', 'ip6tables'] as const) {
        const dump = ns.run(`${tool}-save`, ['-c']);
        const rs = parseIptablesSave(dump, `${rel} (${tool}-save)`, tool);
        const got = new Map<string, number>();
        for (const c of rs.chains.values()) {
          if (c.rules.length) got.set(`${c.table}/${c.name}`, c.rules.length);
          for (const r of c.rules) {
            const bad = [...r.matches, ...r.actions].filter((x) => x.kind === 'unsupported');
            assert.deepEqual(bad, [], `${rel}: ${r.evidence.text}`);
          }
        }
        assert.deepEqual([...got].sort(), [...expected[tool]].sort(), `${rel}: rules per chain (${tool})`);
      }
    } finally {
      ns.dispose();
    }
  }
});

test('an Istio golden dumped by iptables-legacy-save parses like the nf_tables dump', (t) => {
  const root = corpusDir();
  if (!root) return t.skip(CORPUS_ABSENT);
  const why = kernelUnavailable(['ip', 'iptables-legacy-save', 'iptables-legacy-restore', 'iptables-save', 'iptables-restore']);
  if (why) return t.skip(why);
  for (const rel of ['sidecar-iptables/master/tproxy.golden', 'ambient-inpod-iptables/1.24.0/tproxy.golden']) {
    const blob = restoreLoads(readFileSync(path.join(root, rel), 'utf8'))[0].restore!;
    const ns = new TempNetns();
    try {
      ns.run('iptables-restore', [], blob);
      ns.run('iptables-legacy-restore', [], blob);
      const models = ['iptables-save', 'iptables-legacy-save'].map((cmd) => {
        const rs = parseIptablesSave(ns.run(cmd, []), rel, 'iptables');
        return [...rs.chains.values()].map((c) => [c.table, c.name, c.base, c.rules.map((r) => [r.matches, r.actions])] as const).sort((a, b) => `${a[0]}/${a[1]}`.localeCompare(`${b[0]}/${b[1]}`));
      });
      assert.deepEqual(models[1], models[0], rel);
    } finally {
      ns.dispose();
    }
  }
});
