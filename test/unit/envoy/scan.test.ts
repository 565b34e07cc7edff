import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ARRAY, type JsonNode, LITERAL, NUMBER, OBJECT, scanJson, STRING } from '../../../src/parse/envoy/scan.ts';

const bytes = (text: string): Buffer => Buffer.from(text);

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
    for (const text of cases) assert.equal(scanJson(bytes(text), Infinity) !== undefined, parses(text), JSON.stringify(text));
  });

  it('builds nodes down to the depth, and of objects only the members asked for', () => {
    const text = '{"configs": [{"@type": "C", "list": [{"cluster": {"name": "a", "type": "EDS"}, "x": 1}]}], "other": {"deep": [1]}}';
    const root = scanJson(bytes(text), 4, [['configs'], undefined, undefined, undefined])!;
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
    const root = scanJson(bytes('[{}, [], "s", 1, true, null]'), 1)!;
    assert.deepEqual(root.values!.map((n) => n.type), [OBJECT, ARRAY, STRING, NUMBER, LITERAL, LITERAL]);
  });

  it('follows only brackets and strings through a value without nodes, so an error inside it waits for its parse', () => {
    assert.ok(scanJson(bytes('[{"a": [1 2], "b": "}"}]'), 1));
    assert.equal(scanJson(bytes('[{"a": [1 2]]'), 1), undefined);
    assert.equal(scanJson(bytes('[{"a": "unterminated}]'), 1), undefined);
    assert.equal(scanJson(bytes('[{"a": [1}]'), 1), undefined);
  });

  it('agrees with JSON.parse on generated JSON at every depth and selection', () => {
    const select = fc.array(fc.option(fc.array(fc.constantFrom('a', 'b', '', 'name'), { maxLength: 3 }), { nil: undefined }), { maxLength: 4 });
    fc.assert(
      fc.property(fc.json(), fc.integer({ min: 0, max: 5 }), select, (text, depth, sel) => {
        for (const t of [text, JSON.stringify(JSON.parse(text), null, 2)]) {
          const root = scanJson(bytes(t), depth, sel);
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
        assert.equal(scanJson(bytes(text), Infinity) !== undefined, ok, JSON.stringify(text));
        if (ok) assert.ok(scanJson(bytes(text), depth), JSON.stringify(text));
      }),
      { numRuns: 20000 },
    );
  });
});
