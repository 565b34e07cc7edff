import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectionScript, parseCollectionOutput, type Collection } from '../../../src/capture/collect.ts';

const PLAN: Collection[] = [
  { file: 'iptables-save.txt', command: ['iptables-save', '-c'], keepEmpty: true },
  { file: 'ipset.txt', command: ['ipset', 'save'], keepEmpty: false },
  { file: 'sockets.txt', command: ['ss', '-Htlnpe'], keepEmpty: true },
];

test('the collection script runs each command between markers, quoting what needs it', () => {
  const script = collectionScript([...PLAN, { file: 'nft.json', command: ['nft', '-j', 'list', "rule set's"], keepEmpty: false }]);
  assert.deepEqual(script.split('\n').filter((l) => l.startsWith('emit ')), [
    'emit iptables-save.txt iptables-save -c',
    'emit ipset.txt ipset save',
    'emit sockets.txt ss -Htlnpe',
    `emit nft.json nft -j list 'rule set'\\''s'`,
  ]);
});

/** [case, what the script printed, files, failures] */
const OUTPUTS: [string, string, [string, string][], { call: string; object?: string; error: string }[]][] = [
  ['outputs with and without a final newline, and an empty kept file', [
    '@@istio-path begin iptables-save.txt', '', '@@istio-path end iptables-save.txt 0',
    '@@istio-path begin ipset.txt', 'create s hash:ip', '', '@@istio-path end ipset.txt 0',
    '@@istio-path begin sockets.txt', 'LISTEN 0 128 0.0.0.0:80', '@@istio-path end sockets.txt 0', '',
  ].join('\n'), [['iptables-save.txt', ''], ['ipset.txt', 'create s hash:ip\n'], ['sockets.txt', 'LISTEN 0 128 0.0.0.0:80']], []],
  ['an empty output that is not kept, a failed command with its stderr, a missing command', [
    '@@istio-path begin ipset.txt', '', '@@istio-path end ipset.txt 0',
    '@@istio-path begin sockets.txt', '', '@@istio-path end sockets.txt 127', '@@istio-path stderr sockets.txt sh: ss: not found',
  ].join('\n'), [], [
    { call: 'exec ss -Htlnpe', object: 'nodes/a', error: 'sh: ss: not found' },
    { call: 'exec iptables-save -c', object: 'nodes/a', error: 'not in the collection output' },
  ]],
  ['output cut off before the end marker', ['@@istio-path begin iptables-save.txt', '*nat'].join('\n'), [], [
    { call: 'exec iptables-save -c', object: 'nodes/a', error: 'output ended before the command finished' },
    { call: 'exec ipset save', object: 'nodes/a', error: 'not in the collection output' },
    { call: 'exec ss -Htlnpe', object: 'nodes/a', error: 'not in the collection output' },
  ]],
];

for (const [name, text, files, failures] of OUTPUTS) {
  test(`collection output: ${name}`, () => {
    const got = parseCollectionOutput(text, 'nodes/a', PLAN);
    assert.deepEqual([...got.files], files);
    assert.deepEqual(got.failures, failures);
  });
}
