import type { Trace, ViaComponent } from '../../model/index.ts';
import { componentChain, legEnds, type LegEnds } from './legs.ts';
import { allHops, hopsUpTo, undetermined, type Outcome } from './outcome.ts';

/**
 * The first leg that ends at `component`. Every leg after the first starts where the one before it
 * ended, so "some leg ends at or starts from X" is "some leg ends at X".
 */
function legAt(trace: Trace, component: ViaComponent): { ends: LegEnds[]; hit: LegEnds | undefined } {
  const ends = legEnds(trace);
  return { ends, hit: ends.find((e) => e.to === component) };
}

function reached(hit: LegEnds): { message: string; restsOn: number[] } {
  const at = hit.toHops[0];
  // Reaching the component rests on the hops that led there and on its own hops on that leg.
  return { message: `leg ${hit.leg.n} ends at ${hit.leg.to} at hop ${at}`, restsOn: hopsUpTo(Math.max(...hit.toHops)) };
}

/** `--via X`: some leg ends at (or starts from) component X. */
export function checkVia(trace: Trace, component: ViaComponent): Outcome {
  const { ends, hit } = legAt(trace, component);
  if (hit) return { passed: true, ...reached(hit) };
  const unknown = undetermined(trace);
  const message = `no leg ends at or starts from a ${component}: the path runs ${componentChain(trace, ends)}`;
  return { passed: false, message: unknown ? `${message}, and ${unknown}` : message, restsOn: allHops(trace) };
}

/** `--not-via X`: no leg ends at or starts from component X — which only a determined path can show. */
export function checkNotVia(trace: Trace, component: ViaComponent): Outcome {
  const { ends, hit } = legAt(trace, component);
  if (hit) {
    const r = reached(hit);
    return { passed: false, message: `expected no ${component}, but ${r.message}`, restsOn: r.restsOn };
  }
  const unknown = undetermined(trace);
  if (unknown) return { passed: false, message: `${unknown}, so it cannot be shown to avoid a ${component}`, restsOn: allHops(trace) };
  return { passed: true, message: `no leg ends at or starts from a ${component}: the path runs ${componentChain(trace, ends)}`, restsOn: allHops(trace) };
}
