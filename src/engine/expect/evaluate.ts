import type { AssertionReport, AssertionResult, Check, Expectation, InferredHop, Trace } from '../../model/index.ts';
import { checkFindings } from './findings.ts';
import { checkHbone } from './hbone.ts';
import type { Outcome } from './outcome.ts';
import { checkReachable, checkUnreachable } from './reachability.ts';
import { checkNotVia, checkVia } from './via.ts';

export interface EvaluateOptions {
  /** An expectation that rests on an inferred hop fails. */
  strict: boolean;
}

function outcomeOf(check: Check, trace: Trace): Outcome {
  switch (check.kind) {
    case 'reachable': return checkReachable(trace);
    case 'unreachable': return checkUnreachable(trace);
    case 'via': return checkVia(trace, check.component);
    case 'not-via': return checkNotVia(trace, check.component);
    case 'hbone': return checkHbone(trace);
    case 'findings': return checkFindings(trace, check.allow);
  }
}

/** The inferred hops among `hops`, each with the files whose absence made it so. */
export function inferredAmong(trace: Trace, hops: number[]): InferredHop[] {
  const wanted = new Set(hops);
  return trace.hops
    .filter((h) => wanted.has(h.n) && h.status === 'inferred')
    .map((h) => ({ hop: h.n, where: h.where, missing: h.evidence.filter((e) => e.missing).map((e) => e.file) }));
}

/** `inferred hop 12 (pods/…/sockets.txt missing)`, `inferred hops 3 (…), 12 (…)`. */
export function describeInferred(hops: InferredHop[]): string {
  const one = (h: InferredHop) => `${h.hop} (${h.missing.length ? `${h.missing.join(', ')} missing` : `${h.where}: filled from defaults`})`;
  return `inferred ${hops.length === 1 ? 'hop' : 'hops'} ${hops.map(one).join(', ')}`;
}

export function evaluate(expectation: Expectation, trace: Trace, o: EvaluateOptions): AssertionResult {
  const out = outcomeOf(expectation.check, trace);
  const inferred = inferredAmong(trace, out.restsOn);
  const base = { expectation, restsOn: out.restsOn, restsOnInferred: inferred, trace };
  if (!inferred.length) return { ...base, passed: out.passed, message: out.message };
  const gap = `rests on ${describeInferred(inferred)}`;
  if (out.passed && o.strict) return { ...base, passed: false, message: `--strict: ${out.message}, but it ${gap}` };
  const warning = out.passed ? `${gap}; --strict would fail it` : gap;
  return { ...base, passed: out.passed, message: out.message, warning };
}

export function assertionReport(results: AssertionResult[], snapshot: Trace['snapshot'], o: EvaluateOptions): AssertionReport {
  const passed = results.filter((r) => r.passed).length;
  return {
    apiVersion: 'istio-path/v1',
    kind: 'AssertionReport',
    snapshot,
    strict: o.strict,
    passed: passed === results.length,
    summary: { total: results.length, passed, failed: results.length - passed, warnings: results.filter((r) => r.warning).length },
    results,
  };
}
