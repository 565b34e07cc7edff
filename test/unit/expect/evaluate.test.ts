import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertionReport, describeInferred, evaluate } from '../../../src/engine/expect/evaluate.ts';
import { expectationsOf, pairName } from '../../../src/engine/expect/expectation.ts';
import type { Check, Pair, Trace } from '../../../src/model/index.ts';
import { traceOf } from './support.ts';
import { T, upTo } from './traces.ts';

const PAIR: Pair = { name: 'a → b', source: 'a', destination: 'b', namespace: 'default' };
const one = (check: Check) => expectationsOf(PAIR, [check])[0];
const MISSING_6 = { hop: 6, where: 'waypoint at 6', missing: ['pods/default/p6/sockets.txt'] };

describe('evaluate: results that rest on inferred hops', () => {
  const rows: { name: string; check: Check; trace: Trace; strict: boolean; want: { passed: boolean; message: string; restsOnInferred: unknown[]; warning?: string } }[] = [
    {
      name: 'passes with a warning without --strict', check: { kind: 'via', component: 'waypoint' }, trace: T.inferredWaypoint, strict: false,
      want: { passed: true, message: 'leg 2 ends at p (waypoint) at hop 6', restsOnInferred: [MISSING_6], warning: 'rests on inferred hop 6 (pods/default/p6/sockets.txt missing); --strict would fail it' },
    },
    {
      name: 'fails with --strict, naming the hop and the missing file', check: { kind: 'via', component: 'waypoint' }, trace: T.inferredWaypoint, strict: true,
      want: { passed: false, message: '--strict: leg 2 ends at p (waypoint) at hop 6, but it rests on inferred hop 6 (pods/default/p6/sockets.txt missing)', restsOnInferred: [MISSING_6] },
    },
    {
      name: 'an inferred hop after what decided the result does not count', check: { kind: 'via', component: 'ztunnel' }, trace: T.inferredWaypoint, strict: true,
      want: { passed: true, message: 'leg 1 ends at p (ztunnel) at hop 3', restsOnInferred: [] },
    },
    {
      name: 'HBONE rests on the proxy that opened the leg, not on the leg', check: { kind: 'hbone' }, trace: T.inferredWaypoint, strict: true,
      want: { passed: true, message: 'leg 2 is HBONE: from2 → p (waypoint), 10.0.0.1:43210 → 10.0.0.2:80', restsOnInferred: [] },
    },
    {
      name: 'a failure says it rests on inferred hops, with or without --strict', check: { kind: 'unreachable' }, trace: T.inferredWaypoint, strict: true,
      want: { passed: false, message: 'expected dropped or no-route, got delivered: accepted by b', restsOnInferred: [MISSING_6], warning: 'rests on inferred hop 6 (pods/default/p6/sockets.txt missing)' },
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const res = evaluate(one(r.check), r.trace, { strict: r.strict });
      const { passed, message, restsOnInferred, warning } = res;
      assert.deepEqual({ passed, message, restsOnInferred, ...(warning !== undefined ? { warning } : {}) }, r.want);
      assert.equal(res.trace, r.trace);
    });
  }

  it('an observed path passes --strict without a warning', () => {
    const res = evaluate(one({ kind: 'reachable' }), T.waypoint, { strict: true });
    assert.deepEqual({ ...res, trace: undefined }, {
      expectation: { name: 'a → b: reachable', pair: PAIR, check: { kind: 'reachable' } },
      passed: true, message: 'delivered: accepted by b', restsOn: upTo(12), restsOnInferred: [], trace: undefined,
    });
  });
});

describe('describeInferred', () => {
  it('one hop, several hops, a hop filled from defaults without a missing file', () => {
    assert.equal(describeInferred([MISSING_6]), 'inferred hop 6 (pods/default/p6/sockets.txt missing)');
    assert.equal(
      describeInferred([{ hop: 2, where: 'routing', missing: ['a/ip-rule.json', 'a/ip-route.json'] }, { hop: 6, where: 'socket 0.0.0.0:15008 (envoy)', missing: [] }]),
      'inferred hops 2 (a/ip-rule.json, a/ip-route.json missing), 6 (socket 0.0.0.0:15008 (envoy): filled from defaults)',
    );
  });
});

describe('expectations and their names', () => {
  it('one expectation per check, named after the pair and the flag', () => {
    const checks: Check[] = [
      { kind: 'reachable' }, { kind: 'unreachable' }, { kind: 'via', component: 'waypoint' }, { kind: 'not-via', component: 'sidecar' },
      { kind: 'hbone' }, { kind: 'findings', allow: [] }, { kind: 'findings', allow: ['waypoint-bypassed', 'unsupported'] },
    ];
    assert.deepEqual(expectationsOf(PAIR, checks).map((e) => e.name), [
      'a → b: reachable', 'a → b: unreachable', 'a → b: via waypoint', 'a → b: not via sidecar', 'a → b: hbone',
      'a → b: no findings', 'a → b: no findings but waypoint-bypassed, unsupported',
    ]);
  });

  it('pair names carry the port and a namespace other than default', () => {
    assert.equal(pairName({ source: 'sleep', destination: 'reviews', namespace: 'default' }), 'sleep → reviews');
    assert.equal(pairName({ source: 'sleep', destination: 'reviews', namespace: 'default', port: 9080 }), 'sleep → reviews:9080');
    assert.equal(pairName({ source: 'sleep', destination: 'reviews', namespace: 'foo', port: 'http' }), 'sleep → reviews:http (-n foo)');
  });

  it('an origin is kept', () => {
    const origin = { file: 'e.yaml', line: 4, pointer: '/pairs/0' };
    assert.deepEqual(expectationsOf(PAIR, [{ kind: 'hbone' }], origin), [{ name: 'a → b: hbone', pair: PAIR, check: { kind: 'hbone' }, origin }]);
  });
});

describe('assertionReport', () => {
  it('counts passes, failures and warnings; passed only when all hold', () => {
    const trace = traceOf({ legs: [{ hops: ['app', 'kernel~', 'app'] }] });
    const results = [
      evaluate(one({ kind: 'reachable' }), trace, { strict: false }),
      evaluate(one({ kind: 'unreachable' }), T.waypoint, { strict: false }),
      evaluate(one({ kind: 'reachable' }), T.waypoint, { strict: false }),
    ];
    const r = assertionReport(results, { path: 'snap' }, { strict: false });
    assert.deepEqual({ ...r, results: r.results.length }, {
      apiVersion: 'istio-path/v1', kind: 'AssertionReport', snapshot: { path: 'snap' }, strict: false, passed: false,
      summary: { total: 3, passed: 2, failed: 1, warnings: 1 }, results: 3,
    });
    assert.equal(assertionReport([results[2]], { path: 'snap' }, { strict: true }).passed, true);
  });
});
