import type { Trace } from '../../model/index.ts';
import { allHops, undetermined, type Outcome } from './outcome.ts';

/** `--no-findings` / `--allow-finding CODE`: the trace has no finding whose code is not allowed. */
export function checkFindings(trace: Trace, allow: string[]): Outcome {
  const offending = trace.findings.filter((f) => !allow.includes(f.code));
  if (offending.length) {
    // A finding with no hops concerns the snapshot as a whole.
    const hops = offending.some((f) => f.hops.length === 0) ? allHops(trace) : [...new Set(offending.flatMap((f) => f.hops))].sort((a, b) => a - b);
    const message = offending.map((f) => `finding ${f.code} is not allowed: ${f.message}`).join('; ');
    return { passed: false, message, restsOn: hops };
  }
  const unknown = undetermined(trace);
  if (unknown) return { passed: false, message: `${unknown}, so findings on the rest of it cannot be ruled out`, restsOn: allHops(trace) };
  const allowed = [...new Set(trace.findings.map((f) => f.code))];
  return { passed: true, message: allowed.length ? `only allowed findings: ${allowed.join(', ')}` : 'no findings', restsOn: allHops(trace) };
}
