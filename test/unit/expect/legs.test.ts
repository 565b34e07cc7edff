import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { componentChain, legEnds } from '../../../src/engine/expect/legs.ts';
import { computeTrace } from '../../../src/cli/trace-run.ts';
import { readSnapshot } from '../../../src/snapshot/read.ts';
import type { Io } from '../../../src/cli/io.ts';
import { traceOf } from './support.ts';
import { T } from './traces.ts';

describe('legEnds: the component at each end of each leg', () => {
  const cases = [
    {
      name: 'through a waypoint', trace: T.waypoint,
      ends: [['app', 'ztunnel', [3, 4]], ['ztunnel', 'waypoint', [6, 7]], ['waypoint', 'ztunnel', [9, 10]], ['ztunnel', 'app', [12]]],
    },
    { name: 'a leg the kernel drops ends nowhere', trace: T.dropped, ends: [['app', 'ztunnel', [3, 4]], ['ztunnel', undefined, []]] },
    { name: 'the source app\'s connect() is not an end', trace: traceOf({ legs: [{ hops: ['app'] }], verdict: 'unknown' }), ends: [['app', undefined, []]] },
    { name: 'an inferred socket still ends its leg', trace: T.inferredWaypoint, ends: [['app', 'ztunnel', [3, 4]], ['ztunnel', 'waypoint', [6, 7]], ['waypoint', 'ztunnel', [9, 10]], ['ztunnel', 'app', [12]]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(legEnds(c.trace).map((e) => [e.from, e.to, e.toHops]), c.ends);
    });
  }
});

describe('componentChain', () => {
  const cases = [
    { trace: T.waypoint, chain: 'app → ztunnel → waypoint → ztunnel → app' },
    { trace: T.bypass, chain: 'app → sidecar → ztunnel → app' },
    { trace: T.dropped, chain: 'app → ztunnel → dropped' },
    { trace: T.noRoute, chain: 'app → no-route' },
    { trace: T.unknown, chain: 'app → sidecar → unknown' },
  ];
  for (const c of cases) {
    it(c.chain, () => assert.equal(componentChain(c.trace, legEnds(c.trace)), c.chain));
  }
});

describe('legEnds on the example snapshots', () => {
  const io: Io = { stdout: () => {}, stderr: () => {}, color: false, env: {} };
  const cases = [
    { example: 'ambient-1.18-sleep-to-sidecar-httpbin', src: 'sleep', dst: 'httpbin', chain: 'app → ztunnel → sidecar → app' },
    { example: 'ambient-1.18-sidecar-sleep-to-ambient', src: 'sleep', dst: 'helloworld.foo', chain: 'app → sidecar → waypoint → ztunnel → app' },
    { example: 'ambient-1.18-sidecar-sleep-to-ambient', src: 'sleep', dst: 'httpbin.foo', chain: 'app → sidecar → ztunnel → app' },
    { example: 'ambient-1.21-inpod-tproxy', src: 'sleep', dst: 'httpbin', chain: 'app → ztunnel → ztunnel → app' },
    { example: 'ambient-1.24-inpod', src: 'sleep', dst: 'reviews', chain: 'app → ztunnel → waypoint → ztunnel → app' },
    { example: 'mixed-1.24', src: 'client.legacy', dst: 'httpbin.default', chain: 'app → ztunnel → app' },
    { example: 'mixed-1.24', src: 'sleep', dst: 'postgres.legacy', chain: 'app → ztunnel → dropped' },
    { example: 'sidecar-iptables', src: 'sleep', dst: 'httpbin', chain: 'app → sidecar → sidecar → app' },
    { example: 'sidecar-nftables', src: 'sleep', dst: 'httpbin', chain: 'app → sidecar → sidecar → app' },
    { example: 'sidecar-to-ambient-waypoint-bypass', src: 'sleep.legacy', dst: 'reviews.default', chain: 'app → sidecar → ztunnel → app' },
  ];
  for (const c of cases) {
    it(`${c.example}: ${c.src} → ${c.dst}`, async () => {
      const trace = computeTrace(await readSnapshot(`examples/${c.example}`), c.src, c.dst, { namespace: 'default' }, io);
      const ends = legEnds(trace);
      assert.equal(componentChain(trace, ends), c.chain);
      // The engine labels a leg that a proxy accepted `<pod> (<component>)`: the same end, found from the hops.
      for (const e of ends) if (e.to && e.to !== 'app') assert.ok(e.leg.to.endsWith(`(${e.to})`), e.leg.to);
    });
  }
});
