import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type ByteSource, memorySource } from '../../../src/parse/byte-source.ts';
import { ARRAY, type JsonNode, LITERAL, NUMBER, OBJECT, scanJson, STRING } from '../../../src/parse/envoy/scan.ts';

const bytes = (text: string): Buffer => Buffer.from(text);

/**
 * A source that copies each read, into the caller's buffer when it gives one that is long enough, and
 * first spoils what it returned last (NUL is no part of JSON): a scan that keeps using bytes past its
 * next read then sees them change.
 */
function spoiling(b: Uint8Array): ByteSource {
  let last: Uint8Array | undefined;
  return {
    size: b.length,
    read(start, end, into) {
      last?.fill(0);
      last = into && into.length >= end - start ? into.subarray(0, end - start) : new Uint8Array(end - start);
      last.set(b.subarray(start, end));
      return last;
    },
  };
}

/** The scan of `text` in one window, checked to be exactly the scan in windows of a few bytes. */
function scan(text: string, depth: number, select: (string[] | undefined)[] = []): JsonNode | undefined {
  const b = bytes(text);
  const whole = scanJson(memorySource(b), depth, select);
  for (const window of [1, 2, 3, 5, 8]) assert.deepEqual(scanJson(spoiling(b), depth, select, window), whole, `${JSON.stringify(text)} in windows of ${window}`);
  return whole;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Checks every node against JSON.parse of the whole text: its span, and its members where it has them. */
function agrees(text: string, node: JsonNode, want: unknown, depth: number, level: number, select: (string[] | undefined)[]): void {
  const b = bytes(text);
  assert.deepEqual(JSON.parse(b.toString('utf8', node.start, node.end)), want);
  if (node.type === STRING) assert.equal(node.value, want);
  if (!node.values) {
    assert.ok(level >= depth || typeof want !== 'object' || want === null || (level > 0 && select.length > 0), 'members missing');
    return;
  }
  if (Array.isArray(want)) {
    assert.equal(node.values.length, want.length);
    node.values.forEach((v, i) => agrees(text, v, want[i], depth, level + 1, select));
    return;
  }
  const obj = want as Record<string, unknown>;
  const wanted = select[level];
  assert.deepEqual([...new Set(node.keys)].sort(), Object.keys(obj).filter((k) => !wanted || wanted.includes(k)).sort());
  for (const k of new Set(node.keys)) agrees(text, node.values[node.keys!.lastIndexOf(k)], obj[k], depth, level + 1, select);
}

describe('scanJson', () => {
  it('accepts exactly what JSON.parse accepts when every value gets a node', () => {
    const cases = [
      '{}', '[]', ' {"a" : [1, -0.5e+3, true, false, null, "x\\u00e9\\n"]} ', '"\\/"', '0', '-0', '1E5', '{"a":1,"a":2}', '[[[[]]]]', '{"é":"ü"}',
      '', ' ', '{', '}', '[1,]', '{"a":1,}', '{"a" 1}', '{a:1}', "{'a':1}", '01', '1.', '.5', '-', '1e', '+1', 'tru', 'nulll', '"\t"', '"\\x"', '"\\u12"',
      '[1 2]', '{"a":1}}', '[1]]', '\ufeff{}', '{"a":1}x', 'NaN', '[1,,2]', '{"a":[}', '["\\"]',
    ];
    for (const text of cases) assert.equal(scan(text, Infinity) !== undefined, parses(text), JSON.stringify(text));
  });

  it('builds nodes down to the depth, and of objects only the members asked for', () => {
    const text = '{"configs": [{"@type": "C", "list": [{"cluster": {"name": "a", "type": "EDS"}, "x": 1}]}], "other": {"deep": [1]}}';
    const root = scan(text, 4, [['configs'], undefined, undefined, undefined])!;
    const span = (n: JsonNode): string => text.slice(n.start, n.end);
    assert.deepEqual(root.keys, ['configs']);
    const dump = root.values![0].values![0];
    assert.deepEqual([dump.type, dump.keys], [OBJECT, ['@type', 'list']]);
    assert.deepEqual([dump.values![0].type, span(dump.values![0])], [STRING, '"C"']);
    const list = dump.values![1];
    assert.equal(list.type, ARRAY);
    const entry = list.values![0];
    assert.deepEqual([entry.type, entry.keys, entry.values], [OBJECT, undefined, undefined]);
    assert.equal(span(entry), '{"cluster": {"name": "a", "type": "EDS"}, "x": 1}');
  });

  it('records node types', () => {
    const root = scan('[{}, [], "s", 1, true, null]', 1)!;
    assert.deepEqual(root.values!.map((n) => n.type), [OBJECT, ARRAY, STRING, NUMBER, LITERAL, LITERAL]);
  });

  it('follows only brackets and strings through a value without nodes, so an error inside it waits for its parse', () => {
    assert.ok(scan('[{"a": [1 2], "b": "}"}]', 1));
    assert.equal(scan('[{"a": [1 2]]', 1), undefined);
    assert.equal(scan('[{"a": "unterminated}]', 1), undefined);
    assert.equal(scan('[{"a": [1}]', 1), undefined);
  });

  it('agrees with JSON.parse on generated JSON at every depth and selection', () => {
    const select = fc.array(fc.option(fc.array(fc.constantFrom('a', 'b', '', 'name'), { maxLength: 3 }), { nil: undefined }), { maxLength: 4 });
    fc.assert(
      fc.property(fc.json(), fc.integer({ min: 0, max: 5 }), select, (text, depth, sel) => {
        for (const t of [text, JSON.stringify(JSON.parse(text), null, 2)]) {
          const root = scan(t, depth, sel);
          assert.ok(root, t);
          agrees(t, root, JSON.parse(t), depth, 0, sel);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects only what JSON.parse rejects, and with full depth exactly that', () => {
    const alphabet = fc.constantFrom(...'{}[]",:0123456789-+.eE truefalsnul\\/\n\tx\u0001u\u00e9'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 24 }).map((a) => a.join('')), fc.integer({ min: 0, max: 3 }), (text, depth) => {
        const ok = parses(text);
        assert.equal(scan(text, Infinity) !== undefined, ok, JSON.stringify(text));
        if (ok) assert.ok(scan(text, depth), JSON.stringify(text));
      }),
      { numRuns: 20000 },
    );
  });

  it('gives the same nodes, or the same refusal, in windows of 1 to 16 bytes as in one window', () => {
    const json = fc.oneof(fc.json(), fc.json({ stringUnit: 'binary' }));
    const texts = json.chain((text) => {
      const pretty = JSON.stringify(JSON.parse(text), null, 2);
      const at = fc.nat({ max: pretty.length });
      return fc.oneof(
        fc.constant(text),
        fc.constant(pretty),
        // Cut short, and with a stray character: refusals from anywhere in the text.
        at.map((i) => pretty.slice(0, i)),
        fc.tuple(at, fc.constantFrom(...'{}[]",:0-.e \\u\u0001\u00e9'.split(''))).map(([i, c]) => pretty.slice(0, i) + c + pretty.slice(i)),
      );
    });
    const select = fc.array(fc.option(fc.array(fc.constantFrom('a', 'b', '', 'name'), { maxLength: 3 }), { nil: undefined }), { maxLength: 4 });
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 16 }), fc.constantFrom(0, 1, 2, 3, Infinity), select, (text, window, depth, sel) => {
        const b = bytes(text);
        assert.deepEqual(scanJson(spoiling(b), depth, sel, window), scanJson(memorySource(b), depth, sel, Math.max(1, b.length)));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads a value longer than the window again in doubling windows, not byte by byte', () => {
    const text = `[1, ${JSON.stringify({ a: 'x'.repeat(100_000), b: [1, 2] })}, "end"]`;
    const reads: number[] = [];
    const b = bytes(text);
    const source: ByteSource = { size: b.length, read: (start, end) => (reads.push(end - start), b.subarray(start, end)) };
    assert.deepEqual(scanJson(source, 1, [], 1024)?.values?.map((n) => n.type), [NUMBER, OBJECT, STRING]);
    assert.ok(Math.max(...reads) <= 2 * 100_000 + 1024, `largest read ${Math.max(...reads)}`);
    assert.ok(reads.reduce((x, y) => x + y) <= 3 * b.length, `${reads.length} reads of ${reads.reduce((x, y) => x + y)} bytes`);
  });
});
