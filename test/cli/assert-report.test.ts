import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SaxesParser } from 'saxes';
import { assertionReport, evaluate } from '../../src/engine/expect/evaluate.ts';
import { expectationsOf } from '../../src/engine/expect/expectation.ts';
import type { Pair } from '../../src/model/index.ts';
import { renderJunit } from '../../src/render/junit.ts';
import { traceOf } from '../unit/expect/support.ts';
import { Gaps, placeholder, WAYPOINT_SOCKETS } from './assert-support.ts';
import { cli } from './support.ts';

const AMBIENT = ['--snapshot', 'examples/ambient-1.24-inpod'];
const BYPASS = ['--snapshot', 'examples/sidecar-to-ambient-waypoint-bypass'];

async function traceJson(...args: string[]): Promise<unknown> {
  const r = await cli(['trace', ...args, '-o', 'json']);
  assert.equal(r.code, 0);
  return JSON.parse(r.stdout);
}

describe('assert -o json: the AssertionReport', () => {
  it('passing expectations: the whole report, each result with the trace that `trace -o json` prints', async () => {
    const r = await cli(['assert', 'sleep', 'reviews', '--via', 'waypoint', '--hbone', ...AMBIENT, '-o', 'json']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const trace = await traceJson('sleep', 'reviews', ...AMBIENT);
    const pair = { name: 'sleep → reviews', source: 'sleep', destination: 'reviews', namespace: 'default' };
    assert.deepEqual(JSON.parse(r.stdout), {
      apiVersion: 'istio-path/v1',
      kind: 'AssertionReport',
      snapshot: { path: 'examples/ambient-1.24-inpod', capturedAt: '2026-11-20T10:00:00Z', istio: '1.24.0' },
      strict: false,
      passed: true,
      summary: { total: 2, passed: 2, failed: 0, warnings: 0 },
      results: [
        {
          expectation: { name: 'sleep → reviews: via waypoint', pair, check: { kind: 'via', component: 'waypoint' } },
          passed: true, message: 'leg 2 ends at waypoint-66b59898f6-q9d2x (waypoint) at hop 12',
          restsOn: Array.from({ length: 13 }, (_, i) => i + 1), restsOnInferred: [], trace,
        },
        {
          expectation: { name: 'sleep → reviews: hbone', pair, check: { kind: 'hbone' } },
          passed: true, message: 'leg 2 is HBONE: sleep-5d8c9f6b7-h4tjw (ztunnel) → waypoint-66b59898f6-q9d2x (waypoint), 10.244.1.5:43211 → 10.244.1.9:15008',
          restsOn: [1, 2, 3, 4, 5, 6], restsOnInferred: [], trace,
        },
      ],
    });
  });

  it('a failure: exit 1, and stdout is the report alone', async () => {
    const r = await cli(['assert', 'sleep.legacy', 'reviews.default', '--via', 'waypoint', ...BYPASS, '-o', 'json']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    const report = JSON.parse(r.stdout);
    assert.deepEqual({ passed: report.passed, summary: report.summary }, { passed: false, summary: { total: 1, passed: 0, failed: 1, warnings: 0 } });
    assert.deepEqual(report.results.map((x: { passed: boolean; message: string }) => [x.passed, x.message]), [
      [false, 'no leg ends at or starts from a waypoint: the path runs app → sidecar → ztunnel → app'],
    ]);
  });

  it('-f: each expectation carries where the file states it', async () => {
    const r = await cli(['assert', '-f', 'test/cli/assert-fixtures/ambient.yaml', ...AMBIENT, '-o', 'json']);
    assert.equal(r.code, 0);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.results.map((x: { expectation: { name: string; origin: unknown } }) => [x.expectation.name, x.expectation.origin]), [
      ['reviews goes through its waypoint: via waypoint', { file: 'test/cli/assert-fixtures/ambient.yaml', line: 5, pointer: '/pairs/0' }],
      ['reviews goes through its waypoint: hbone', { file: 'test/cli/assert-fixtures/ambient.yaml', line: 5, pointer: '/pairs/0' }],
      ['reviews goes through its waypoint: no findings', { file: 'test/cli/assert-fixtures/ambient.yaml', line: 5, pointer: '/pairs/0' }],
      ...['reachable', 'via ztunnel', 'not via waypoint', 'not via sidecar', 'hbone'].map((c) => [`sleep → httpbin:8000: ${c}`, { file: 'test/cli/assert-fixtures/ambient.yaml', line: 9, pointer: '/pairs/1' }]),
    ]);
    assert.deepEqual(report.results[3].expectation.pair, { name: 'sleep → httpbin:8000', source: 'sleep', destination: 'httpbin', namespace: 'default', port: 8000 });
  });

  describe('--strict', () => {
    const gaps = new Gaps();
    before(() => gaps.setUp());
    after(() => gaps.tearDown());

    it('the report says strict, and which inferred hop failed the expectation', async () => {
      const snap = await gaps.without('ambient-1.24-inpod', WAYPOINT_SOCKETS);
      const r = await cli(['assert', 'sleep', 'reviews', '--via', 'waypoint', '--strict', '--snapshot', snap, '-o', 'json']);
      assert.equal(r.code, 1);
      const report = JSON.parse(placeholder(r.stdout, snap));
      const [res] = report.results;
      assert.deepEqual([report.strict, res.passed, res.message, res.restsOnInferred, res.warning], [
        true, false,
        `--strict: leg 2 ends at waypoint-66b59898f6-q9d2x (waypoint) at hop 12, but it rests on inferred hop 12 (${WAYPOINT_SOCKETS} missing)`,
        [{ hop: 12, where: 'socket 0.0.0.0:15008 (envoy, uid 1337)', missing: [WAYPOINT_SOCKETS] }],
        undefined,
      ]);
    });
  });
});

interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

/** Parses with a strict XML 1.0 parser: anything not well-formed throws. */
function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser();
  const root: XmlNode = { name: '', attributes: {}, children: [], text: '' };
  const stack = [root];
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('opentag', (t) => {
    const node: XmlNode = { name: t.name, attributes: { ...(t.attributes as Record<string, string>) }, children: [], text: '' };
    stack.at(-1)!.children.push(node);
    stack.push(node);
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('text', (t) => void (stack.at(-1)!.text += t));
  parser.write(xml).close();
  assert.equal(root.children.length, 1);
  return root.children[0];
}

const child = (n: XmlNode, name: string) => n.children.filter((c) => c.name === name);

describe('--junit: a JUnit XML report', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'istio-path-junit-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('one testsuite, one testcase per expectation, the failure\'s message, the trace text as system-out', async () => {
    const file = path.join(tmp, 'report.xml');
    const r = await cli(['assert', 'sleep.legacy', 'reviews.default', '--via', 'sidecar', '--via', 'waypoint', ...BYPASS, '--junit', file]);
    assert.equal(r.code, 1);
    const xml = await readFile(file, 'utf8');
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/);
    const doc = parseXml(xml);
    assert.equal(doc.name, 'testsuites');
    const suites = child(doc, 'testsuite');
    assert.equal(suites.length, 1);
    const counts = { name: 'istio-path assert', tests: '2', failures: '1', errors: '0', skipped: '0' };
    assert.deepEqual(doc.attributes, counts);
    assert.deepEqual(suites[0].attributes, counts);
    assert.deepEqual(child(child(suites[0], 'properties')[0], 'property').map((p) => p.attributes), [
      { name: 'snapshot', value: 'examples/sidecar-to-ambient-waypoint-bypass' }, { name: 'strict', value: 'false' },
    ]);
    const cases = child(suites[0], 'testcase');
    assert.deepEqual(cases.map((c) => c.attributes), [
      { classname: 'sleep.legacy → reviews.default', name: 'via sidecar' },
      { classname: 'sleep.legacy → reviews.default', name: 'via waypoint' },
    ]);
    assert.deepEqual(cases.map((c) => child(c, 'failure').map((f) => [f.attributes, f.text])), [
      [],
      [[{ type: 'expectation', message: 'no leg ends at or starts from a waypoint: the path runs app → sidecar → ztunnel → app' }, 'no leg ends at or starts from a waypoint: the path runs app → sidecar → ztunnel → app']],
    ]);
    const text = (await cli(['trace', 'sleep.legacy', 'reviews.default', ...BYPASS])).stdout;
    for (const c of cases) assert.equal(child(c, 'system-out')[0].text, text);
  });

  it('-f: testcases name the file and line of their pair', async () => {
    const file = path.join(tmp, 'file.xml');
    const r = await cli(['assert', '-f', 'test/cli/assert-fixtures/ambient.yaml', ...AMBIENT, '--junit', file, '-o', 'json']);
    assert.equal(r.code, 0);
    const cases = child(child(parseXml(await readFile(file, 'utf8')), 'testsuite')[0], 'testcase');
    assert.deepEqual(cases.map((c) => [c.attributes.file, c.attributes.line]), [
      ...Array(3).fill(['test/cli/assert-fixtures/ambient.yaml', '5']), ...Array(5).fill(['test/cli/assert-fixtures/ambient.yaml', '9']),
    ]);
  });

  it('escapes markup and writes what XML cannot hold as \\u escapes, and stays well-formed', () => {
    const hostile = 'a<b>&"c\'\n\td\u0001\ufffe\ud800e';
    const pair: Pair = { name: hostile, source: 'a', destination: 'b', namespace: 'default' };
    const trace = traceOf({ legs: [{ hops: ['app', 'kernel'] }], verdict: 'dropped', reason: hostile });
    const results = expectationsOf(pair, [{ kind: 'reachable' }]).map((e) => evaluate(e, trace, { strict: false }));
    const report = assertionReport(results, { path: hostile }, { strict: false });
    const doc = parseXml(renderJunit(report));
    const tc = child(child(doc, 'testsuite')[0], 'testcase')[0];
    const shown = 'a<b>&"c\'\n\td\\u0001\\ufffe\\ud800e';
    assert.equal(tc.attributes.classname, shown);
    assert.equal(child(tc, 'failure')[0].attributes.message, `expected delivered, got dropped: ${shown}`);
    assert.equal(child(tc, 'failure')[0].text, `expected delivered, got dropped: ${shown}`);
    assert.equal(child(child(child(doc, 'testsuite')[0], 'properties')[0], 'property')[0].attributes.value, shown);
  });
});
