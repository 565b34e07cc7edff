import type { Trace } from '../../model/index.ts';
import { allHops, undetermined, type Outcome } from './outcome.ts';

/** `--reachable`: the connection is delivered to the destination's app. The verdict rests on every hop. */
export function checkReachable(trace: Trace): Outcome {
  const restsOn = allHops(trace);
  const unknown = undetermined(trace);
  if (unknown) return { passed: false, message: unknown, restsOn };
  if (trace.verdict === 'delivered') return { passed: true, message: `delivered: ${trace.reason}`, restsOn };
  return { passed: false, message: `expected delivered, got ${trace.verdict}: ${trace.reason}`, restsOn };
}

/** `--unreachable`: the connection is dropped or finds no route; `unknown` proves neither. */
export function checkUnreachable(trace: Trace): Outcome {
  const restsOn = allHops(trace);
  const unknown = undetermined(trace);
  if (unknown) return { passed: false, message: unknown, restsOn };
  if (trace.verdict === 'delivered') return { passed: false, message: `expected dropped or no-route, got delivered: ${trace.reason}`, restsOn };
  return { passed: true, message: `${trace.verdict}: ${trace.reason}`, restsOn };
}
