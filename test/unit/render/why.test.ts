import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderText } from '../../../src/render/text.ts';
import type { Finding, Trace } from '../../../src/model/index.ts';

/** Intent findings explain the path, so they print under WHY, right after the verdict; the rest stay WARNINGS. */
function trace(findings: Finding[]): Trace {
  return {
    apiVersion: 'istio-path/v1', kind: 'Trace', snapshot: { path: 'snap' },
    source: { query: 'sleep', namespace: 'default', pod: 'sleep-1' }, destination: { query: '10.0.0.9', ip: '10.0.0.9', port: 80 },
    hops: [], legs: [], verdict: 'delivered', reason: 'accepted', alternatives: [], findings,
  };
}

const finding = (code: string, severity: Finding['severity']): Finding => ({ code, severity, message: `${code} message`, hops: [1], evidence: [{ file: 'f.txt', line: 2, text: 'rule' }], ...(code === 'unsupported' ? {} : { fix: 'do this' }) });

const tail = (t: Trace): string => {
  const text = renderText(t, { color: false, wide: false });
  return text.slice(text.indexOf('VERDICT'));
};

describe('text: WHY and WARNINGS', () => {
  const CASES: { name: string; findings: Finding[]; expected: string }[] = [
    {
      name: 'an intent finding under WHY, an unsupported match under WARNINGS',
      findings: [finding('unsupported', 'warning'), finding('capture-missing', 'error')],
      expected: [
        'VERDICT  delivered — accepted', '', 'WHY', '  ✗ capture-missing: capture-missing message (hop 1)', '      f.txt:2  rule', '      fix: do this',
        '', 'WARNINGS', '  ! unsupported: unsupported message (hop 1)', '      f.txt:2  rule', '',
      ].join('\n'),
    },
    { name: 'no findings: neither heading', findings: [], expected: 'VERDICT  delivered — accepted\n' },
  ];
  for (const c of CASES) it(c.name, () => assert.equal(tail(trace(c.findings)), c.expected));
});
