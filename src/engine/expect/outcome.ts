import type { Trace } from '../../model/index.ts';

/** What one check concluded about a trace, and the hops whose outcome decided it. */
export interface Outcome {
  passed: boolean;
  message: string;
  restsOn: number[];
}

/**
 * Hops 1..n. A hop can only be reached through every hop before it, so a fact about hop n rests on
 * them all: an inferred hop earlier on could have sent the connection elsewhere.
 */
export function hopsUpTo(n: number): number[] {
  return Array.from({ length: Math.max(0, n) }, (_, i) => i + 1);
}

/** Every hop: what holds of the whole path (its verdict, the absence of something) rests on all of it. */
export function allHops(trace: Trace): number[] {
  return trace.hops.map((h) => h.n);
}

/** The `unknown` verdict: the walk stopped before an end, so nothing about the rest of the path is known. */
export function undetermined(trace: Trace): string | undefined {
  return trace.verdict === 'unknown' ? `the path could not be determined: ${trace.reason}` : undefined;
}
