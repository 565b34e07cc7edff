import type { Trace } from '../../model/index.ts';
import { allHops, hopsUpTo, undetermined, type Outcome } from './outcome.ts';

/** `--hbone`: some leg's protocol is HBONE. */
export function checkHbone(trace: Trace): Outcome {
  const i = trace.legs.findIndex((l) => l.protocol === 'hbone');
  if (i >= 0) {
    const leg = trace.legs[i];
    // A leg's protocol is chosen by the proxy that opens it: the last hop before the leg's first.
    const opened = leg.hops.length ? leg.hops[0] - 1 : Math.max(0, ...trace.legs.slice(0, i).flatMap((l) => l.hops));
    return { passed: true, message: `leg ${leg.n} is HBONE: ${leg.from} → ${leg.to}, ${leg.src} → ${leg.dst}`, restsOn: hopsUpTo(opened) };
  }
  const protocols = trace.legs.map((l) => `leg ${l.n} ${l.protocol}`).join(', ');
  const unknown = undetermined(trace);
  const message = `no leg is HBONE (${protocols || 'no legs'})`;
  return { passed: false, message: unknown ? `${message}, and ${unknown}` : message, restsOn: allHops(trace) };
}
