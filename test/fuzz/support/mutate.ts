import fc from 'fast-check';

/**
 * Mutations of real input files, as fast-check arbitraries so a failing input shrinks to few, small
 * edits. Every mutation works on bytes and the result is decoded as the snapshot reader decodes a
 * file (UTF-8 with replacement), so invalid UTF-8 reaches the parsers exactly as it would for real.
 */

export type Mutation =
  | { op: 'truncate'; at: number }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'delete-line'; at: number }
  | { op: 'duplicate-line'; at: number }
  | { op: 'swap-fields'; at: number; a: number; b: number }
  | { op: 'huge-number'; at: number; value: string }
  | { op: 'nest'; at: number; depth: number; open: string }
  | { op: 'nest-value'; at: number; depth: number; open: '[' | '{"a":' }
  | { op: 'insert'; at: number; bytes: number[] };

/** Numbers at the edges of every field width a parser may assume. */
export const HUGE_NUMBERS = ['0', '-1', '4294967295', '4294967296', '65536', '18446744073709551616', '9007199254740993', '1e308', '1e999', '-1e999', '0x', '0xffffffffffffffffff', '1.5', '00000000000000000000000001'];

/** Byte sequences that are not valid UTF-8, control characters and terminal escapes. */
export const HOSTILE_BYTES: number[][] = [
  [0xff],
  [0xc3],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xc0, 0xaf],
  [0x00],
  [0x0d],
  [0x1b, 0x5b, 0x33, 0x31, 0x6d],
  [0xc2, 0x9b],
  [0xe2, 0x80, 0xa8],
  [0x22],
  [0x5c],
  [0x09],
];

/** Positions are fractions of the input so the same mutation applies to inputs of any size. */
const frac = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: frac }),
  fc.record({ op: fc.constant('flip' as const), at: frac, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('delete-line' as const), at: frac }),
  fc.record({ op: fc.constant('duplicate-line' as const), at: frac }),
  fc.record({ op: fc.constant('swap-fields' as const), at: frac, a: frac, b: frac }),
  fc.record({ op: fc.constant('huge-number' as const), at: frac, value: fc.constantFrom(...HUGE_NUMBERS) }),
  fc.record({ op: fc.constant('nest' as const), at: frac, depth: fc.integer({ min: 1, max: 3000 }), open: fc.constantFrom('[', '{"a":', '{"') }),
  fc.record({ op: fc.constant('nest-value' as const), at: frac, depth: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constant(100_000)), open: fc.constantFrom('[' as const, '{"a":' as const) }),
  fc.record({ op: fc.constant('insert' as const), at: frac, bytes: fc.constantFrom(...HOSTILE_BYTES) }),
);

export function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  return mutations.reduce(apply, input);
}

function apply(buf: Buffer, m: Mutation): Buffer {
  const pos = Math.floor(m.at * buf.length);
  switch (m.op) {
    case 'truncate':
      return buf.subarray(0, pos);
    case 'flip': {
      if (buf.length === 0) return buf;
      const out = Buffer.from(buf);
      out[pos] ^= 1 << m.bit;
      return out;
    }
    case 'delete-line':
    case 'duplicate-line': {
      const lines = splitLines(buf);
      if (lines.length === 0) return buf;
      const i = Math.floor(m.at * lines.length);
      if (m.op === 'delete-line') lines.splice(i, 1);
      else lines.splice(i, 0, lines[i]);
      return Buffer.concat(lines);
    }
    case 'swap-fields':
      return swapFields(buf, m);
    case 'huge-number':
      return replaceNumber(buf, pos, m.value);
    case 'nest':
      return Buffer.concat([buf.subarray(0, pos), Buffer.from(m.open.repeat(m.depth)), buf.subarray(pos)]);
    case 'nest-value':
      return nestValue(buf, m);
    case 'insert':
      return Buffer.concat([buf.subarray(0, pos), Buffer.from(m.bytes), buf.subarray(pos)]);
  }
}

/**
 * Wraps one value of a JSON document in `depth` arrays or objects, keeping the document valid: deep
 * nesting that only a parser's own recursion (not JSON.parse) meets. Not JSON: nests at the byte.
 */
function nestValue(buf: Buffer, m: { at: number; depth: number; open: '[' | '{"a":' }): Buffer {
  try {
    return Buffer.from(nestJson(JSON.parse(buf.toString('utf8')), m) ?? buf);
  } catch {
    // Not JSON, or already nested deeper than JSON.stringify recurses.
    return apply(buf, { op: 'nest', at: m.at, depth: m.depth, open: m.open });
  }
}

function nestJson(doc: unknown, m: { at: number; depth: number; open: '[' | '{"a":' }): string | undefined {
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    for (const [k, x] of Object.entries(v)) {
      nodes.push({ parent: v as Record<string, unknown>, key: Array.isArray(v) ? Number(k) : k });
      stack.push(x);
    }
  }
  if (nodes.length === 0) return undefined;
  const { parent, key } = nodes[Math.floor(m.at * nodes.length)];
  const marker = '\u0000nest\u0000';
  const inner = JSON.stringify((parent as Record<string, unknown>)[key]);
  (parent as Record<string, unknown>)[key] = marker;
  const close = m.open === '[' ? ']' : '}';
  return JSON.stringify(doc).replace(JSON.stringify(marker), () => m.open.repeat(m.depth) + inner + close.repeat(m.depth));
}

/** Lines with their terminating newline, so joining them gives the input back. */
function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      lines.push(buf.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < buf.length) lines.push(buf.subarray(start));
  return lines;
}

/** Swaps two fields of one line: space-separated words in text dumps, comma-separated values in JSON. */
function swapFields(buf: Buffer, m: { at: number; a: number; b: number }): Buffer {
  const lines = splitLines(buf);
  if (lines.length === 0) return buf;
  const i = Math.floor(m.at * lines.length);
  const text = lines[i].toString('latin1');
  const sep = text.includes(' ') ? ' ' : ',';
  const fields = text.split(sep);
  const a = Math.floor(m.a * fields.length);
  const b = Math.floor(m.b * fields.length);
  [fields[a], fields[b]] = [fields[b], fields[a]];
  lines[i] = Buffer.from(fields.join(sep), 'latin1');
  return Buffer.concat(lines);
}

/** Replaces the run of digits nearest after `pos` (or inserts the number there when there is none). */
function replaceNumber(buf: Buffer, pos: number, value: string): Buffer {
  let start = pos;
  while (start < buf.length && !isDigit(buf[start])) start++;
  if (start === buf.length) return Buffer.concat([buf.subarray(0, pos), Buffer.from(value), buf.subarray(pos)]);
  let end = start;
  while (end < buf.length && isDigit(buf[end])) end++;
  return Buffer.concat([buf.subarray(0, start), Buffer.from(value), buf.subarray(end)]);
}

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/** Decodes as the snapshot reader does (`readFileSync(…, 'utf8')`, `Buffer.toString('utf8')`). */
export function decode(buf: Buffer): string {
  return buf.toString('utf8');
}
