import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFindings } from '../../../src/engine/expect/findings.ts';
import { checkHbone } from '../../../src/engine/expect/hbone.ts';
import type { Outcome } from '../../../src/engine/expect/outcome.ts';
import { checkReachable, checkUnreachable } from '../../../src/engine/expect/reachability.ts';
import { checkNotVia, checkVia } from '../../../src/engine/expect/via.ts';
import type { Trace } from '../../../src/model/index.ts';
import { traceOf } from './support.ts';
import { T, upTo } from './traces.ts';

interface Row {
  name: string;
  run: (t: Trace) => Outcome;
  trace: Trace;
  want: Outcome;
}

const reachable = checkReachable;
const unreachable = checkUnreachable;
const via = (c: 'waypoint' | 'ztunnel' | 'sidecar') => (t: Trace) => checkVia(t, c);
const notVia = (c: 'waypoint' | 'ztunnel' | 'sidecar') => (t: Trace) => checkNotVia(t, c);
const findings = (...allow: string[]) => (t: Trace) => checkFindings(t, allow);

const rows: Row[] = [
  // reachable: the verdict is delivered; it rests on every hop.
  { name: 'reachable, delivered', run: reachable, trace: T.waypoint, want: { passed: true, message: 'delivered: accepted by b', restsOn: upTo(12) } },
  { name: 'reachable, dropped', run: reachable, trace: T.dropped, want: { passed: false, message: 'expected delivered, got dropped: dropped at hop 6', restsOn: upTo(6) } },
  { name: 'reachable, no-route', run: reachable, trace: T.noRoute, want: { passed: false, message: 'expected delivered, got no-route: no route to 10.0.0.2', restsOn: upTo(2) } },
  { name: 'reachable, unknown', run: reachable, trace: T.unknown, want: { passed: false, message: 'the path could not be determined: no routes', restsOn: upTo(5) } },
  // unreachable: dropped or no-route; unknown is neither.
  { name: 'unreachable, delivered', run: unreachable, trace: T.waypoint, want: { passed: false, message: 'expected dropped or no-route, got delivered: accepted by b', restsOn: upTo(12) } },
  { name: 'unreachable, dropped', run: unreachable, trace: T.dropped, want: { passed: true, message: 'dropped: dropped at hop 6', restsOn: upTo(6) } },
  { name: 'unreachable, no-route', run: unreachable, trace: T.noRoute, want: { passed: true, message: 'no-route: no route to 10.0.0.2', restsOn: upTo(2) } },
  { name: 'unreachable, unknown', run: unreachable, trace: T.unknown, want: { passed: false, message: 'the path could not be determined: no routes', restsOn: upTo(5) } },
  // via: some leg ends at the component; it rests on the hops up to the component's last hop on that leg.
  { name: 'via waypoint, through it', run: via('waypoint'), trace: T.waypoint, want: { passed: true, message: 'leg 2 ends at p (waypoint) at hop 6', restsOn: upTo(7) } },
  { name: 'via ztunnel: the first leg that ends there', run: via('ztunnel'), trace: T.waypoint, want: { passed: true, message: 'leg 1 ends at p (ztunnel) at hop 3', restsOn: upTo(4) } },
  { name: 'via sidecar, the source\'s', run: via('sidecar'), trace: T.bypass, want: { passed: true, message: 'leg 1 ends at p (sidecar) at hop 5', restsOn: upTo(6) } },
  { name: 'via ztunnel on a path dropped after it', run: via('ztunnel'), trace: T.dropped, want: { passed: true, message: 'leg 1 ends at p (ztunnel) at hop 3', restsOn: upTo(4) } },
  { name: 'via waypoint, bypassed', run: via('waypoint'), trace: T.bypass, want: { passed: false, message: 'no leg ends at or starts from a waypoint: the path runs app → sidecar → ztunnel → app', restsOn: upTo(12) } },
  {
    name: 'via waypoint, path undetermined', run: via('waypoint'), trace: T.unknown,
    want: { passed: false, message: 'no leg ends at or starts from a waypoint: the path runs app → sidecar → unknown, and the path could not be determined: no routes', restsOn: upTo(5) },
  },
  // not-via: no leg ends at the component, on a path that is determined.
  { name: 'not via waypoint, bypassed', run: notVia('waypoint'), trace: T.bypass, want: { passed: true, message: 'no leg ends at or starts from a waypoint: the path runs app → sidecar → ztunnel → app', restsOn: upTo(12) } },
  { name: 'not via sidecar, dropped', run: notVia('sidecar'), trace: T.dropped, want: { passed: true, message: 'no leg ends at or starts from a sidecar: the path runs app → ztunnel → dropped', restsOn: upTo(6) } },
  { name: 'not via waypoint, through it', run: notVia('waypoint'), trace: T.waypoint, want: { passed: false, message: 'expected no waypoint, but leg 2 ends at p (waypoint) at hop 6', restsOn: upTo(7) } },
  { name: 'not via waypoint, path undetermined', run: notVia('waypoint'), trace: T.unknown, want: { passed: false, message: 'the path could not be determined: no routes, so it cannot be shown to avoid a waypoint', restsOn: upTo(5) } },
  // hbone: some leg is HBONE; it rests on the hops up to the proxy that opened that leg.
  { name: 'hbone, ztunnel to waypoint', run: checkHbone, trace: T.waypoint, want: { passed: true, message: 'leg 2 is HBONE: from2 → p (waypoint), 10.0.0.1:43210 → 10.0.0.2:80', restsOn: upTo(4) } },
  { name: 'hbone, sidecars over mTLS', run: checkHbone, trace: T.mtls, want: { passed: false, message: 'no leg is HBONE (leg 1 tcp, leg 2 mtls, leg 3 tcp)', restsOn: upTo(9) } },
  { name: 'hbone, path undetermined', run: checkHbone, trace: T.unknown, want: { passed: false, message: 'no leg is HBONE (leg 1 tcp, leg 2 tcp), and the path could not be determined: no routes', restsOn: upTo(5) } },
  // findings: none whose code is not allowed; a failure rests on the findings' hops.
  { name: 'no findings, none', run: findings(), trace: T.waypoint, want: { passed: true, message: 'no findings', restsOn: upTo(12) } },
  { name: 'no findings, one', run: findings(), trace: T.bypass, want: { passed: false, message: 'finding waypoint-bypassed is not allowed: waypoint-bypassed happened', restsOn: [6] } },
  { name: 'allowed finding', run: findings('waypoint-bypassed'), trace: T.bypass, want: { passed: true, message: 'only allowed findings: waypoint-bypassed', restsOn: upTo(12) } },
  {
    name: 'one finding allowed, another not', run: findings('waypoint-bypassed'),
    trace: traceOf({ legs: [{ hops: ['app', 'kernel', 'kernel', 'ztunnel'] }], findings: [{ code: 'waypoint-bypassed', hops: [4] }, { code: 'unsupported', hops: [3, 2] }, { code: 'jump-loop', hops: [3] }] }),
    want: { passed: false, message: 'finding unsupported is not allowed: unsupported happened; finding jump-loop is not allowed: jump-loop happened', restsOn: [2, 3] },
  },
  {
    name: 'a finding about the whole snapshot rests on every hop', run: findings(),
    trace: traceOf({ legs: [{ hops: ['app', 'kernel', 'ztunnel'] }], findings: [{ code: 'symlink-skipped', hops: [] }] }),
    want: { passed: false, message: 'finding symlink-skipped is not allowed: symlink-skipped happened', restsOn: upTo(3) },
  },
  { name: 'no findings, path undetermined', run: findings(), trace: T.unknown, want: { passed: false, message: 'the path could not be determined: no routes, so findings on the rest of it cannot be ruled out', restsOn: upTo(5) } },
];

describe('checks on traced paths', () => {
  for (const r of rows) it(r.name, () => assert.deepEqual(r.run(r.trace), r.want));
});
