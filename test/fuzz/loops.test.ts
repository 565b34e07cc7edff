import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { computeTrace } from '../../src/cli/trace-run.ts';
import type { Io } from '../../src/cli/io.ts';
import type { Trace } from '../../src/model/index.ts';
import { readSnapshot } from '../../src/snapshot/read.ts';
import { writeSnapshot } from '../../src/snapshot/write.ts';
import { projectRoot } from '../support/corpus.ts';
import { tempDir } from '../unit/snapshot/fixtures.ts';

/**
 * Crafted netfilter and routing loops, end to end: a snapshot written to a temp dir, read and traced.
 * Each ends, quickly, with the hops up to the loop, a finding and the verdict `unknown` — or, where the
 * kernel's own rules make the input loop-free, with the path it really takes.
 */
const io: Io = { stdout: () => {}, stderr: () => {}, color: false, env: {} };
const EXAMPLE = path.join(projectRoot, 'examples/sidecar-iptables');

function exampleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs)) {
      const p = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) walk(p, r);
      else files.set(r, readFileSync(p, 'utf8'));
    }
  };
  walk(EXAMPLE, '');
  return files;
}

const sleepDir = (files: Map<string, string>) => [...files.keys()].find((f) => /^pods\/default\/sleep-[^/]+\/iptables-save\.txt$/.test(f))!.replace(/\/iptables-save\.txt$/, '');

/** The sleep pod's nat OUTPUT first jumps into `chains`, declared and filled by `rules`. */
function withNatOutput(files: Map<string, string>, chains: string[], rules: string[]): void {
  const file = `${sleepDir(files)}/iptables-save.txt`;
  const text = files.get(file)!;
  const decls = chains.map((c) => `:${c} - [0:0]`).join('\n');
  files.set(file, text.replace(':OUTPUT ACCEPT [0:0]\n', `:OUTPUT ACCEPT [0:0]\n${decls}\n`).replace('[0:0] -A OUTPUT -p tcp -j ISTIO_OUTPUT\n', `${rules.join('\n')}\n[0:0] -A OUTPUT -p tcp -j ISTIO_OUTPUT\n`));
}

async function trace(files: Map<string, string>): Promise<{ trace: Trace; ms: number }> {
  const dir = path.join(await tempDir(), 'snap');
  await writeSnapshot(dir, files);
  const started = performance.now();
  const t = computeTrace(await readSnapshot(dir), 'sleep', 'httpbin', { namespace: 'default' }, io);
  return { trace: t, ms: performance.now() - started };
}

const SLEEP = `pod:default/${path.basename(sleepDir(exampleFiles()))}`;
const HTTPBIN = `pod:default/${readdirSync(path.join(EXAMPLE, 'pods/default')).find((n) => n.startsWith('httpbin-'))}`;

const summary = (t: Trace) => ({ verdict: t.verdict, reason: t.reason, findings: t.findings.filter((f) => f.code === 'jump-loop').map((f) => f.message), lastHop: t.hops.at(-1)?.where });

describe('loops end in a finding, the verdict unknown and the hops up to the loop', () => {
  const cases: { name: string; chains: string[]; rules: string[]; expected: ReturnType<typeof summary> }[] = [
    {
      name: 'a chain jumping to itself',
      chains: ['SELF'],
      rules: ['-A OUTPUT -j SELF', '-A SELF -j SELF'],
      expected: { verdict: 'unknown', reason: `netfilter jump loop in ${SLEEP} (nat/OUTPUT → SELF → SELF)`, findings: ['jump loop between nat/OUTPUT and SELF and SELF'], lastHop: 'routing (ip rule 32766, table main)' },
    },
    {
      name: 'a goto loop between two chains',
      chains: ['PING', 'PONG'],
      rules: ['-A OUTPUT -j PING', '-A PING -g PONG', '-A PONG -g PING'],
      expected: { verdict: 'unknown', reason: `netfilter jump loop in ${SLEEP} (nat/OUTPUT → PING → PONG → PING)`, findings: ['jump loop between nat/OUTPUT and PING and PONG and PING'], lastHop: 'routing (ip rule 32766, table main)' },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const files = exampleFiles();
      withNatOutput(files, c.chains, c.rules);
      const { trace: t, ms } = await trace(files);
      assert.ok(ms < 2000, `${ms} ms`);
      assert.deepEqual(summary(t), c.expected);
    });
  }

  it('a 10,000-deep jump chain', async () => {
    const files = exampleFiles();
    const chains = Array.from({ length: 10_000 }, (_, i) => `DEEP${i}`);
    withNatOutput(files, chains, ['-A OUTPUT -j DEEP0', ...chains.slice(0, -1).map((c, i) => `-A ${c} -j DEEP${i + 1}`)]);
    const { trace: t, ms } = await trace(files);
    assert.ok(ms < 5000, `${ms} ms`);
    // The engine stops following jumps past its nesting limit and reports the chains it entered.
    const entered = ['nat/OUTPUT', ...chains.slice(0, 64)];
    assert.deepEqual(summary(t), { verdict: 'unknown', reason: `netfilter jump loop in ${SLEEP} (${entered.join(' → ')})`, findings: [`jump loop between ${entered.join(' and ')}`], lastHop: 'routing (ip rule 32766, table main)' });
  });

  it('a 10,000-long ip rule goto chain is followed to the end (the kernel only accepts gotos to later rules)', async () => {
    const files = exampleFiles();
    const rules = Array.from({ length: 10_000 }, (_, i) => ({ priority: i + 1, src: 'all', goto: i + 2 }));
    files.set(`${sleepDir(files)}/ip-rule.json`, JSON.stringify([{ priority: 0, src: 'all', table: 'local' }, ...rules, { priority: 32766, src: 'all', table: 'main' }]));
    const { trace: t, ms } = await trace(files);
    assert.ok(ms < 5000, `${ms} ms`);
    assert.deepEqual(summary(t), { verdict: 'delivered', reason: `accepted by httpbin in ${HTTPBIN} on 10.244.2.7:80`, findings: [], lastHop: 'socket 0.0.0.0:80 (httpbin, uid 1000)' });
  });

  it('ip rules that goto each other (a dump the kernel would refuse) are refused, naming the rule', async () => {
    const files = exampleFiles();
    const file = `${sleepDir(files)}/ip-rule.json`;
    files.set(file, JSON.stringify([{ priority: 0, src: 'all', table: 'local' }, { priority: 10, src: 'all', goto: 20 }, { priority: 20, src: 'all', goto: 10 }, { priority: 32766, src: 'all', table: 'main' }]));
    await assert.rejects(trace(files), { name: 'InputError', message: `${file}#/2/goto: expected a goto target after priority 20, found 10 (hint: the kernel only accepts gotos to a later rule)` });
  });
});
