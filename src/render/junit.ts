import { checkLabel } from '../engine/expect/expectation.ts';
import type { AssertionReport, AssertionResult } from '../model/index.ts';
import { renderText } from './text.ts';

const SUITE = 'istio-path assert';

/**
 * A JUnit XML report as CI systems read it: one testsuite, one testcase per expectation (the pair as
 * its class, the check as its name), the failure's message, and the trace's text as system-out.
 */
export function renderJunit(report: AssertionReport): string {
  const s = report.summary;
  const counts = `tests="${s.total}" failures="${s.failed}" errors="0" skipped="0"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${SUITE}" ${counts}>`,
    `  <testsuite name="${SUITE}" ${counts}>`,
    '    <properties>',
    `      <property name="snapshot" value="${attr(report.snapshot.path)}"/>`,
    `      <property name="strict" value="${report.strict}"/>`,
    '    </properties>',
    ...report.results.flatMap(testcase),
    '  </testsuite>',
    '</testsuites>',
  ];
  return lines.join('\n') + '\n';
}

function testcase(r: AssertionResult): string[] {
  const e = r.expectation;
  const at = e.origin ? ` file="${attr(e.origin.file)}"${e.origin.line !== undefined ? ` line="${e.origin.line}"` : ''}` : '';
  const lines = [`    <testcase classname="${attr(e.pair.name)}" name="${attr(checkLabel(e.check))}"${at}>`];
  if (!r.passed) lines.push(`      <failure type="expectation" message="${attr(r.message)}">${text(r.message)}</failure>`);
  lines.push(`      <system-out>${text(renderText(r.trace, { color: false, wide: false }))}</system-out>`);
  if (r.warning) lines.push(`      <system-err>${text(r.warning)}</system-err>`);
  lines.push('    </testcase>');
  return lines;
}

/**
 * XML 1.0 cannot hold most control characters even escaped, nor lone surrogates or U+FFFE/U+FFFF;
 * they are written as `\uXXXX` text so the report stays well-formed and shows what was there.
 */
function legal(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function text(s: string): string {
  return legal(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values are normalised by XML parsers, so newlines and tabs are kept as character references. */
function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
