import type { Finding, K8s } from '../../model/index.ts';
import type { World } from '../path/world.ts';
import { mixedBackends } from './backends.ts';
import { expectedWaypoint, waypointBypassed } from './bypass.ts';
import { captureDeadEnd, captureExcluded, captureMissing, doubleCapture } from './capture.ts';
import { destinationPod, type WalkedPath } from './path-facts.ts';
import { plaintextBetweenMeshed } from './plaintext.ts';
import { replyMisrouted } from './reply.ts';
import { unexpectedPath } from './unexpected.ts';
import type { WaypointTarget } from './waypoint.ts';

export interface IntentQuestion {
  source: K8s.Pod;
  target: WaypointTarget;
  /** The address and port the application connects to. */
  dst: { ip: string; port: number };
  /** The pod the trace is aimed at, when there is one (a pod target, or the Service's first backend). */
  aimed?: K8s.Pod;
}

/**
 * Every finding of the walked path against the intent. A cause found at capture is reported as the cause;
 * the plaintext leg it produces is then not reported again as plaintext.
 */
export function intentFindings(world: World, q: IntentQuestion, path: WalkedPath): Finding[] {
  const dstPod = destinationPod(world, path, q.aimed);
  const sides = [{ pod: q.source, side: 'source' as const }, ...(dstPod ? [{ pod: dstPod, side: 'destination' as const }] : [])];
  const capture = [
    ...sides.map((s) => captureMissing(world, path, s.pod, s.side)),
    captureDeadEnd(world, path),
    captureExcluded(world, path, q.source, 'source', q.dst),
    ...(dstPod ? [captureExcluded(world, path, dstPod, 'destination', deliveredPort(path) ?? q.dst)] : []),
    ...sides.map((s) => doubleCapture(world, path, s.pod)),
  ].filter((f): f is Finding => !!f);
  const expected = expectedWaypoint(world, q.target, q.source);
  const bypass = waypointBypassed(world, path, q.target, q.source);
  const reply = replyMisrouted(world, path);
  return [
    ...(reply ? [reply] : []),
    ...(bypass ? [bypass] : []),
    ...capture,
    ...(capture.length ? [] : plaintextBetweenMeshed(world, path)),
    ...mixedBackends(world, path),
    ...unexpectedPath(world, path, q.target, expected),
  ];
}

/** The port the destination pod was reached on, after any Service translation. */
function deliveredPort(path: WalkedPath): { ip: string; port: number } | undefined {
  const last = path.hops[path.hops.length - 1];
  if (!last) return undefined;
  const dst = last.packet.before.dst;
  const i = dst.lastIndexOf(':');
  return { ip: dst.slice(0, i), port: Number(dst.slice(i + 1)) };
}
