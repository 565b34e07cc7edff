import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import fc from 'fast-check';
import { computeTrace } from '../../../src/cli/trace-run.ts';
import type { Io } from '../../../src/cli/io.ts';
import type { Trace } from '../../../src/model/index.ts';
import { renderJson, renderYaml } from '../../../src/render/data.ts';
import { inert } from '../../../src/render/inert.ts';
import { renderText } from '../../../src/render/text.ts';
import { readSnapshot } from '../../../src/snapshot/read.ts';
import { projectRoot } from '../../support/corpus.ts';

/**
 * Every string of a trace can come from the snapshot (pod and node names, labels quoted in notes, rule
 * comments in evidence, Envoy listener and cluster names), so the text renderer must show each one
 * inert wherever it prints it. The test puts a hostile string into every string of real traces.
 */
const io: Io = { stdout: () => {}, stderr: () => {}, color: false, env: {} };
/** A colour escape, a cursor move, an OSC title set, CR, a C1 CSI, a line separator and a newline. */
const HOSTILE = '\u001b[31m\u001b[2J\u001b]0;pwned\u0007\r\u009b1m\u2028\n';
const ESCAPED = inert(HOSTILE);
/** What the text renderer itself may write: printable text, its own newlines, and nothing else below U+0020. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;

async function exampleTrace(name: string, from: string, to: string): Promise<Trace> {
  return computeTrace(await readSnapshot(path.join(projectRoot, 'examples', name)), from, to, { namespace: 'default' }, io);
}

/** The trace with `edit` applied to every string in it (keys untouched). */
function mapStrings<T>(value: T, edit: (s: string, at: string) => string, at = ''): T {
  if (typeof value === 'string') return edit(value, at) as T;
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, edit, `${at}/${i}`)) as T;
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, edit, `${at}/${k}`)])) as T;
  return value;
}

/** Enum fields steer the renderer (hop status, verdict colour); they are never input text. */
const ENUMS = /\/(component|status|verdict|severity|protocol|kind|mode|generation|apiVersion|type)$/;

describe('text output is inert', () => {
  const traces: Trace[] = [];
  before(async () => {
    traces.push(await exampleTrace('sidecar-iptables', 'sleep', 'httpbin'));
    traces.push(await exampleTrace('ambient-1.18-sleep-to-sidecar-httpbin', 'sleep', 'httpbin'));
  });

  for (const wide of [false, true]) {
    it(`${wide ? '-o wide' : '-o text'}: every string of the trace, made hostile, prints escaped`, () => {
      for (const trace of traces) {
        const plain = renderText(trace, { color: false, wide });
        let count = 0;
        const hostile = mapStrings(trace, (s, at) => (ENUMS.test(at) ? s : (count++, `${s}${HOSTILE}`)));
        const out = renderText(hostile, { color: false, wide });
        assert.ok(count > 50, `only ${count} strings`);
        assert.equal(RAW_CONTROL.exec(out)?.[0], undefined);
        assert.equal(out.split('\n').length, plain.split('\n').length, 'a string from the input started a new line');
        assert.ok(out.includes(ESCAPED));
      }
    });
  }

  it('places that print input, one by one, show the escaped form', () => {
    const trace = traces[0];
    const set = (path: string[], edit: (t: Trace) => void) => {
      const copy = structuredClone(trace);
      edit(copy);
      const out = renderText(copy, { color: false, wide: true });
      return { path: path.join('.'), raw: RAW_CONTROL.test(out), escaped: out.includes(ESCAPED) };
    };
    const cases = [
      set(['source', 'pod'], (t) => void (t.source.pod = `sleep${HOSTILE}`)),
      set(['source', 'node'], (t) => void (t.source.node = `node${HOSTILE}`)),
      set(['source', 'ip'], (t) => void (t.source.ip = `10.0.0.1${HOSTILE}`)),
      set(['destination', 'pod'], (t) => void (t.destination.pod = `httpbin${HOSTILE}`)),
      set(['destination', 'node'], (t) => void (t.destination.node = `node${HOSTILE}`)),
      set(['destination', 'service'], (t) => void (t.destination.service = `svc${HOSTILE}`)),
      set(['snapshot', 'path'], (t) => void (t.snapshot.path = `snap${HOSTILE}`)),
      set(['hops', 'where'], (t) => void (t.hops[0].where = `chain${HOSTILE}`)),
      set(['hops', 'note'], (t) => void (t.hops[0].note = `label app=${HOSTILE}`)),
      set(['hops', 'evidence', 'text'], (t) => void (t.hops[0].evidence.push({ file: 'nodes/n/iptables-save.txt', line: 1, text: `-A X -m comment --comment "${HOSTILE}" -j ACCEPT` }))),
      set(['legs', 'src'], (t) => void (t.legs[0].src = `10.0.0.1:1${HOSTILE}`)),
      set(['reason'], (t) => void (t.reason = `accepted by envoy listener ${HOSTILE}`)),
      set(['findings', 'message'], (t) => void t.findings.push({ code: 'unsupported', severity: 'warning', message: `match ${HOSTILE}`, hops: [1], evidence: [], fix: `fix ${HOSTILE}` })),
      set(['alternatives', 'reason'], (t) => void t.alternatives.push({ reason: `endpoint ${HOSTILE}`, hops: [] })),
    ];
    assert.deepEqual(cases.filter((c) => c.raw || !c.escaped), []);
  });

  it('any unicode, anywhere in the trace, leaves no control character in the output', () => {
    const trace = traces[1];
    const paths: string[] = [];
    mapStrings(trace, (s, at) => (ENUMS.test(at) ? s : (paths.push(at), s)));
    fc.assert(
      fc.property(fc.nat({ max: paths.length - 1 }), fc.string({ unit: 'binary', maxLength: 20 }), (i, junk) => {
        const out = renderText(mapStrings(trace, (s, at) => (at === paths[i] ? junk : s)), { color: false, wide: true });
        assert.equal(RAW_CONTROL.exec(out)?.[0], undefined);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('JSON and YAML output round-trip any string', () => {
  /** Any UTF-16 code unit, lone surrogates included: strings from a snapshot are JavaScript strings. */
  const anyString = fc.string({ unit: fc.nat({ max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 30 });
  let trace: Trace;
  before(async () => {
    trace = await exampleTrace('sidecar-iptables', 'sleep', 'httpbin');
  });

  it('-o json and -o yaml give back every string exactly', () => {
    const paths: string[] = [];
    mapStrings(trace, (s, at) => (paths.push(at), s));
    fc.assert(
      fc.property(fc.nat({ max: paths.length - 1 }), anyString, (i, s) => {
        const edited = mapStrings(trace, (v, at) => (at === paths[i] ? s : v));
        const plain = JSON.parse(JSON.stringify(edited)) as Trace;
        assert.deepEqual(JSON.parse(renderJson(edited)), plain);
        assert.deepEqual(parseYaml(renderYaml(edited)), plain);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('lone surrogates: JSON escapes them as \\uXXXX, YAML writes them as \\uXXXX in a double-quoted scalar', () => {
    const edited = { ...trace, reason: 'a\ud800b\udc00' };
    assert.ok(renderJson(edited).includes('"reason": "a\\ud800b\\udc00"'));
    assert.ok(renderYaml(edited).includes('reason: "a\\ud800b\\udc00"'));
    assert.equal(parseYaml(renderYaml(edited)).reason, 'a\ud800b\udc00');
  });
});
