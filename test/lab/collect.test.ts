import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { collectionScript, parseCollectionOutput, NETNS_COLLECTION } from '../../src/capture/collect.ts';
import { collectLocal } from '../../src/capture/strategies/local.ts';
import { labUnavailable } from './lab.ts';
import { KernelLab } from './lab.ts';

test('local collector and the collection script capture the same files from a real netns', { skip: labUnavailable() }, async () => {
  const lab = new KernelLab();
  try {
    const ns = lab.add('node:probe', 'probe');
    lab.run(ns.id, 'iptables', ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', '15001']);
    lab.run(ns.id, 'ipset', ['create', 'probe-set', 'hash:ip']);
    const local = await collectLocal({ kind: 'netns', name: ns.name }, ns.dir);
    const script = parseCollectionOutput(execFileSync('ip', ['netns', 'exec', ns.name, 'sh', '-c', collectionScript()], { encoding: 'utf8' }), ns.dir);
    assert.deepEqual(local.failures, []);
    assert.deepEqual(script.failures, []);
    // ip6tables-save prints nothing for a netns without IPv6 rules, so its file is left out
    assert.deepEqual([...local.files.keys()].sort(), NETNS_COLLECTION.filter((c) => c.file !== 'ip6tables-save.txt').map((c) => `nodes/probe/${c.file}`).sort());
    const stable = (file: string, text: string): string => (file.endsWith('iptables-save.txt') ? text.replace(/^# .*$/gm, '') : file.endsWith('sockets.txt') ? '' : text);
    for (const [file, text] of local.files) {
      const name = file.slice('nodes/probe/'.length) as (typeof NETNS_COLLECTION)[number]['file'];
      assert.equal(stable(name, script.files.get(name) ?? ''), stable(name, text), file);
    }
    assert.match(local.files.get('nodes/probe/iptables-save.txt')!, /^\[0:0\] -A OUTPUT -p tcp -j REDIRECT --to-ports 15001$/m);
    assert.match(local.files.get('nodes/probe/ipset.txt')!, /^create probe-set hash:ip /m);
  } finally {
    lab.teardown();
  }
});

test('a netns that does not exist: every command is a failure naming it', { skip: labUnavailable() }, async () => {
  const got = await collectLocal({ kind: 'netns', name: 'ipx-no-such-netns' }, 'nodes/gone');
  assert.deepEqual(got.files, new Map());
  assert.deepEqual(got.failures.map((f) => [f.call, f.object]), NETNS_COLLECTION.map((c) => [`exec ${c.command.join(' ')}`, 'nodes/gone (netns ipx-no-such-netns)']));
  assert.ok(got.failures.every((f) => f.error.includes('ipx-no-such-netns')), JSON.stringify(got.failures));
});
