import { Chalk } from 'chalk';
import type { AssertionReport, AssertionResult } from '../model/index.ts';
import { inert } from './inert.ts';
import { renderText } from './text.ts';

export interface AssertTextOptions {
  color: boolean;
}

const INDENT = '    ';

/**
 * Like a test runner: one line per expectation, ✓ or ✗; under a failure its message, and after the
 * last expectation of a pair with a failure, that pair's trace as `trace` prints it.
 */
export function renderAssertText(report: AssertionReport, o: AssertTextOptions): string {
  const c = new Chalk({ level: o.color ? 1 : 0 });
  const out: string[] = [];
  for (const group of byPair(report.results)) {
    for (const r of group) {
      out.push(`${r.passed ? c.green('✓') : c.red('✗')} ${inert(r.expectation.name)}`);
      if (!r.passed) out.push(`${INDENT}${inert(r.message)}`);
      if (r.warning) out.push(`${INDENT}${c.yellow('!')} ${inert(r.warning)}`);
    }
    if (group.some((r) => !r.passed)) {
      const trace = renderText(group[0].trace, { color: o.color, wide: false });
      out.push('', ...trace.trimEnd().split('\n').map((l) => (l ? INDENT + l : l)), '');
    }
  }
  const s = report.summary;
  const warnings = s.warnings ? `; ${s.warnings} ${s.warnings === 1 ? 'rests' : 'rest'} on inferred hops` : '';
  if (out.at(-1) !== '') out.push('');
  out.push(`${s.passed} passed, ${s.failed} failed${warnings}`);
  return out.join('\n') + '\n';
}

/** Results come pair by pair; a pair's expectations share one trace object. */
function byPair(results: AssertionResult[]): AssertionResult[][] {
  const groups: AssertionResult[][] = [];
  for (const r of results) {
    const last = groups.at(-1);
    if (last && last[0].trace === r.trace) last.push(r);
    else groups.push([r]);
  }
  return groups;
}
