import { traceOf } from './support.ts';

/** The shapes of path the checks tell apart; hop numbers run on across legs. */
export const T = {
  /** app → ztunnel → waypoint → ztunnel → app: hops 1-4, 5-7 (HBONE), 8-10 (HBONE), 11-12. */
  waypoint: traceOf({
    legs: [
      { hops: ['app', 'kernel', 'ztunnel', 'ztunnel'] },
      { protocol: 'hbone', hops: ['kernel', 'waypoint', 'waypoint'] },
      { protocol: 'hbone', hops: ['kernel', 'ztunnel', 'ztunnel'] },
      { hops: ['kernel', 'app'] },
    ],
  }),
  /** app → sidecar → ztunnel → app, a waypoint intended but bypassed: hops 1-6, 7-10 (HBONE), 11-12. */
  bypass: traceOf({
    legs: [
      { hops: ['app', 'kernel', 'kernel', 'kernel', 'sidecar', 'sidecar'] },
      { protocol: 'hbone', hops: ['kernel', 'kernel', 'ztunnel', 'ztunnel'] },
      { hops: ['kernel', 'app'] },
    ],
    findings: [{ code: 'waypoint-bypassed', hops: [6] }],
  }),
  /** app → sidecar → sidecar → app over mTLS. */
  mtls: traceOf({
    legs: [
      { hops: ['app', 'kernel', 'sidecar', 'sidecar'] },
      { protocol: 'mtls', hops: ['kernel', 'sidecar', 'sidecar'] },
      { hops: ['kernel', 'app'] },
    ],
  }),
  /** app → ztunnel, then dropped by the kernel at hop 6. */
  dropped: traceOf({
    legs: [{ hops: ['app', 'kernel', 'ztunnel', 'ztunnel'] }, { hops: ['kernel', 'kernel'] }],
    verdict: 'dropped', reason: 'dropped at hop 6',
  }),
  noRoute: traceOf({ legs: [{ hops: ['app', 'kernel'] }], verdict: 'no-route', reason: 'no route to 10.0.0.2' }),
  /** app → sidecar, then a netns without routes (hop 5 inferred): the walk stops. */
  unknown: traceOf({
    legs: [{ hops: ['app', 'kernel', 'sidecar', 'sidecar'] }, { hops: ['kernel~'] }],
    verdict: 'unknown', reason: 'no routes',
  }),
  /** As `waypoint`, but the waypoint's socket (hop 6) is inferred: its sockets.txt is missing. */
  inferredWaypoint: traceOf({
    legs: [
      { hops: ['app', 'kernel', 'ztunnel', 'ztunnel'] },
      { protocol: 'hbone', hops: ['kernel', 'waypoint~', 'waypoint'] },
      { protocol: 'hbone', hops: ['kernel', 'ztunnel', 'ztunnel'] },
      { hops: ['kernel', 'app'] },
    ],
  }),
};

export const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
