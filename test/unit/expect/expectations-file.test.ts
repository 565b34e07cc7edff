import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseExpectations, type PairSpec } from '../../../src/parse/expectations.ts';

const HEAD = 'apiVersion: istio-path/v1\nkind: Expectations\n';
const F = 'e.yaml';

describe('expectations file: valid', () => {
  const rows: { name: string; yaml: string; want: PairSpec[] }[] = [
    {
      name: 'a pair without expect is expected to be reachable',
      yaml: `${HEAD}pairs:\n  - source: sleep\n    destination: httpbin\n`,
      want: [{ pair: { source: 'sleep', destination: 'httpbin', namespace: 'default' }, checks: [{ kind: 'reachable' }], origin: { file: F, line: 4, pointer: '/pairs/0' } }],
    },
    {
      name: 'every key, in the order the checks run',
      yaml: `${HEAD}namespace: foo\npairs:
  - name: reviews through its waypoint
    source: sleep
    destination: reviews
    port: 9080
    namespace: bar
    expect:
      allowFindings: [waypoint-bypassed, waypoint-bypassed]
      hbone: true
      notVia: sidecar
      via: [waypoint, ztunnel, waypoint]
      reachable: true
      noFindings: true
`,
      want: [{
        pair: { name: 'reviews through its waypoint', source: 'sleep', destination: 'reviews', namespace: 'bar', port: 9080 },
        checks: [
          { kind: 'reachable' }, { kind: 'via', component: 'waypoint' }, { kind: 'via', component: 'ztunnel' }, { kind: 'not-via', component: 'sidecar' },
          { kind: 'hbone' }, { kind: 'findings', allow: ['waypoint-bypassed'] },
        ],
        origin: { file: F, line: 5, pointer: '/pairs/0' },
      }],
    },
    {
      name: 'the file\'s namespace for pairs without one; reachable: false; a port name; a quoted port number; flow style',
      yaml: `${HEAD}namespace: legacy\npairs:\n  - { source: sleep, destination: postgres, port: "5432", expect: { reachable: false } }\n  - { source: sleep, destination: app, port: http-web, expect: { noFindings: true } }\n`,
      want: [
        { pair: { source: 'sleep', destination: 'postgres', namespace: 'legacy', port: 5432 }, checks: [{ kind: 'unreachable' }], origin: { file: F, line: 5, pointer: '/pairs/0' } },
        { pair: { source: 'sleep', destination: 'app', namespace: 'legacy', port: 'http-web' }, checks: [{ kind: 'findings', allow: [] }], origin: { file: F, line: 6, pointer: '/pairs/1' } },
      ],
    },
    {
      name: 'anchors and aliases',
      yaml: `${HEAD}pairs:\n  - source: sleep\n    destination: a\n    expect: &ambient { via: ztunnel, hbone: true }\n  - source: sleep\n    destination: b\n    expect: *ambient\n`,
      want: [
        { pair: { source: 'sleep', destination: 'a', namespace: 'default' }, checks: [{ kind: 'via', component: 'ztunnel' }, { kind: 'hbone' }], origin: { file: F, line: 4, pointer: '/pairs/0' } },
        { pair: { source: 'sleep', destination: 'b', namespace: 'default' }, checks: [{ kind: 'via', component: 'ztunnel' }, { kind: 'hbone' }], origin: { file: F, line: 7, pointer: '/pairs/1' } },
      ],
    },
  ];
  for (const r of rows) it(r.name, () => assert.deepEqual(parseExpectations(r.yaml, F), r.want));
});

describe('expectations file: each kind of invalid, named by file, line and pointer', () => {
  const pair = (extra: string) => `${HEAD}pairs:\n  - source: sleep\n    destination: httpbin\n${extra}`;
  const rows: { name: string; yaml: string; error: string }[] = [
    { name: 'not YAML', yaml: `${HEAD}pairs: [\n`, error: 'e.yaml:4: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]' },
    { name: 'a duplicate key', yaml: `${HEAD}kind: Expectations\npairs: []\n`, error: 'e.yaml:3: not valid YAML: Map keys must be unique' },
    { name: 'empty', yaml: '', error: 'e.yaml: expected a mapping with apiVersion, kind and pairs, got nothing' },
    { name: 'a list at the top', yaml: '- source: a\n', error: 'e.yaml:1: expected a mapping with apiVersion, kind and pairs, got a list' },
    { name: 'no apiVersion', yaml: 'kind: Expectations\npairs: []\n', error: 'e.yaml:1: missing key apiVersion' },
    { name: 'another apiVersion', yaml: 'apiVersion: istio-path/v2\nkind: Expectations\npairs: []\n', error: 'e.yaml:1: /apiVersion: expected istio-path/v1, got "istio-path/v2"' },
    { name: 'another kind', yaml: 'apiVersion: istio-path/v1\nkind: Trace\npairs: []\n', error: 'e.yaml:2: /kind: expected Expectations, got "Trace"' },
    { name: 'an unknown top-level key', yaml: `${HEAD}snapshot: x\npairs: []\n`, error: 'e.yaml:3: /snapshot: unknown key; expected one of apiVersion, kind, namespace, pairs' },
    { name: 'no pairs', yaml: HEAD, error: 'e.yaml:1: missing key pairs' },
    { name: 'pairs not a list', yaml: `${HEAD}pairs: {}\n`, error: 'e.yaml:3: /pairs: expected a list of pairs, got a mapping' },
    { name: 'an empty list of pairs', yaml: `${HEAD}pairs: []\n`, error: 'e.yaml:3: /pairs: expected at least one pair' },
    { name: 'a pair that is not a mapping', yaml: `${HEAD}pairs:\n  - sleep httpbin\n`, error: 'e.yaml:4: /pairs/0: expected a pair: a mapping with source and destination, got "sleep httpbin"' },
    { name: 'a pair without destination', yaml: `${HEAD}pairs:\n  - source: sleep\n`, error: 'e.yaml:4: /pairs/0: missing key destination' },
    { name: 'a pair key spelt as in the trace flags', yaml: `${HEAD}pairs:\n  - src: sleep\n    dst: httpbin\n`, error: 'e.yaml:4: /pairs/0/src: unknown key; expected one of name, source, destination, port, namespace, expect' },
    { name: 'a source that is not a string', yaml: `${HEAD}pairs:\n  - source: [sleep]\n    destination: httpbin\n`, error: 'e.yaml:4: /pairs/0/source: expected a non-empty string, got a list' },
    { name: 'a port out of range', yaml: pair('    port: 70000\n'), error: 'e.yaml:6: /pairs/0/port: expected a port number (1-65535) or a port name, got 70000' },
    { name: 'a port that is no name', yaml: pair('    port: Not_A_Name\n'), error: 'e.yaml:6: /pairs/0/port: expected a port number (1-65535) or a port name, got "Not_A_Name"' },
    { name: 'a namespace that is no name', yaml: pair('    namespace: Foo_Bar\n'), error: 'e.yaml:6: /pairs/0/namespace: "Foo_Bar" is not a namespace name (lower-case letters, digits and -)' },
    { name: 'expect not a mapping', yaml: pair('    expect: reachable\n'), error: 'e.yaml:6: /pairs/0/expect: expected a mapping of reachable, via, notVia, hbone, noFindings, allowFindings, got "reachable"' },
    { name: 'an empty expect', yaml: pair('    expect: {}\n'), error: 'e.yaml:6: /pairs/0/expect: expected at least one of reachable, via, notVia, hbone, noFindings, allowFindings; omit expect to expect the pair to be reachable' },
    { name: 'an unknown expectation', yaml: pair('    expect:\n      hbon: true\n'), error: 'e.yaml:7: /pairs/0/expect/hbon: unknown key; expected one of reachable, via, notVia, hbone, noFindings, allowFindings' },
    { name: 'reachable not a boolean', yaml: pair('    expect:\n      reachable: yes\n'), error: 'e.yaml:7: /pairs/0/expect/reachable: expected true or false, got "yes"' },
    { name: 'an unknown component', yaml: pair('    expect:\n      via: [ztunnel, waypiont]\n'), error: 'e.yaml:7: /pairs/0/expect/via/1: "waypiont" is not a component; expected waypoint, ztunnel, sidecar' },
    { name: 'a component that is not a string', yaml: pair('    expect:\n      notVia:\n        - { waypoint: true }\n'), error: 'e.yaml:8: /pairs/0/expect/notVia/0: expected a non-empty string, got a mapping' },
    { name: 'an empty list', yaml: pair('    expect:\n      via: []\n'), error: 'e.yaml:7: /pairs/0/expect/via: expected at least one item; remove the key instead' },
    { name: 'via and notVia the same component', yaml: pair('    expect:\n      via: waypoint\n      notVia: [sidecar, waypoint]\n'), error: 'e.yaml:7: /pairs/0/expect: waypoint is both in via and in notVia' },
    { name: 'hbone: false', yaml: pair('    expect:\n      hbone: false\n'), error: 'e.yaml:7: /pairs/0/expect/hbone: only true is meaningful (some leg is HBONE); remove the key to expect nothing of the protocol' },
    { name: 'noFindings: false', yaml: pair('    expect:\n      noFindings: false\n'), error: 'e.yaml:7: /pairs/0/expect/noFindings: only true is meaningful; remove the key to allow any finding' },
    { name: 'a finding code that is not kebab-case', yaml: pair('    expect:\n      allowFindings: [Waypoint_Bypassed]\n'), error: 'e.yaml:7: /pairs/0/expect/allowFindings/0: "Waypoint_Bypassed" is not a finding code; codes are kebab-case, e.g. waypoint-bypassed' },
    { name: 'the second pair is the bad one', yaml: `${pair('')}  - source: sleep\n    destination: 7\n`, error: 'e.yaml:7: /pairs/1/destination: expected a non-empty string, got 7' },
    { name: 'a key that needs escaping in the pointer', yaml: pair('    expect:\n      a/b~c: true\n'), error: 'e.yaml:7: /pairs/0/expect/a~1b~0c: unknown key; expected one of reachable, via, notVia, hbone, noFindings, allowFindings' },
    { name: 'a key that is not a string', yaml: `${HEAD}pairs:\n  - ? [a]\n    : b\n`, error: 'e.yaml:4: /pairs/0: keys must be plain strings' },
  ];
  for (const r of rows) {
    it(r.name, () => assert.throws(() => parseExpectations(r.yaml, F), (err: Error) => (assert.equal(err.message, r.error), true)));
  }
});

describe('the README\'s expectations file', () => {
  it('parses to what its comments say', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Expectations file'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    assert.deepEqual(parseExpectations(yaml, 'README.md'), [{
      pair: { name: 'reviews goes through its waypoint', source: 'sleep', destination: 'reviews', namespace: 'default', port: 9080 },
      checks: [
        { kind: 'reachable' }, { kind: 'via', component: 'waypoint' }, { kind: 'not-via', component: 'sidecar' }, { kind: 'hbone' },
        { kind: 'findings', allow: ['waypoint-bypassed'] },
      ],
      origin: { file: 'README.md', line: 5, pointer: '/pairs/0' },
    }]);
  });
});
