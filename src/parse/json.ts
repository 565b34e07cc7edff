import { InputError } from '../model/evidence.ts';

/** JSON.parse with an error that names the file and the line, instead of a bare SyntaxError. */
export function parseJsonText(text: string, file: string, expected: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    // V8 gives no position for an unexpected token or end of input; the scan finds it.
    const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
    const line = offset >= 0 ? lineOfOffset(text, offset) : undefined;
    throw new InputError(file, { line }, `invalid JSON (${engineReason(message)}); expected ${expected}`, 'the file may be truncated or not the output of the command named in the README (Snapshots)');
  }
}

/**
 * V8's message, without the excerpt of the input it quotes for an unexpected token: that excerpt spans
 * lines and may hold control characters; the line number already says where.
 */
function engineReason(message: string): string {
  const token = /^Unexpected token '(.{1,2})', .{0,80} is not valid JSON$/su.exec(message);
  if (!token) return message.replace(/^.*?: /, '');
  const c = token[1];
  return `Unexpected token ${/^[\x21-\x7e]$/.test(c) ? `'${c}'` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`}`;
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPES = new Set('"\\/bfnrt');
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * The offset of the first character that makes `text` invalid JSON (RFC 8259), `text.length` when it ends
 * too early, or the offset of its deepest nesting when it is valid (the only other reason to fail a parse).
 * One pass, no recursion: it runs on files that already failed to parse, however they are nested.
 */
export function jsonErrorOffset(text: string): number {
  const stack: string[] = [];
  let deepest = 0;
  let deepestAt = 0;
  let i = 0;
  let expect = 'value' as Expect;
  for (;;) {
    while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
    if (i >= text.length) return expect === 'end' ? deepestAt : text.length;
    const c = text[i];
    if ((expect === 'value-or-close' && c === ']') || (expect === 'key-or-close' && c === '}') || (expect === 'comma-or-close' && c === (stack[stack.length - 1] === '[' ? ']' : '}'))) {
      stack.pop();
      i++;
      expect = afterValue(stack);
    } else if (expect === 'comma-or-close') {
      if (c !== ',') return i;
      i++;
      expect = stack[stack.length - 1] === '[' ? 'value' : 'key';
    } else if (expect === 'colon') {
      if (c !== ':') return i;
      i++;
      expect = 'value';
    } else if (expect === 'key' || expect === 'key-or-close') {
      if (c !== '"') return i;
      const end = stringEnd(text, i);
      if (end < 0) return -end - 1;
      i = end;
      expect = 'colon';
    } else if (expect === 'end') {
      return i;
    } else if (c === '[' || c === '{') {
      stack.push(c);
      if (stack.length > deepest) [deepest, deepestAt] = [stack.length, i];
      i++;
      expect = c === '[' ? 'value-or-close' : 'key-or-close';
    } else if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return -end - 1;
      i = end;
      expect = afterValue(stack);
    } else {
      NUMBER.lastIndex = i;
      const literal = LITERALS.find((l) => text.startsWith(l, i));
      if (literal) i += literal.length;
      else if (NUMBER.test(text)) i = NUMBER.lastIndex;
      else return LITERALS.some((l) => l.startsWith(text.slice(i, i + 5)) && i + 5 > text.length) ? text.length : i;
      expect = afterValue(stack);
    }
  }
}

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end';

const afterValue = (stack: string[]): Expect => (stack.length > 0 ? 'comma-or-close' : 'end');

/** The offset just past the string that opens at `start`, or `-(offset + 1)` of the first bad character. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return -(i + 1);
    if (code === 0x5c) {
      const e = text[i + 1];
      if (e === undefined) return -(text.length + 1);
      if (e === 'u') {
        HEX4.lastIndex = i + 2;
        if (!HEX4.test(text)) return -(Math.min(i + 2, text.length) + 1);
        i += 5;
      } else if (ESCAPES.has(e)) i++;
      else return -(i + 2);
    }
  }
  return -(text.length + 1);
}

/** One RFC 6901 reference token. */
export function pointerToken(token: string | number): string {
  // Parsers build a pointer per object they read; most tokens need no escape.
  if (typeof token === 'number') return String(token);
  return token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token;
}

/** Joins a pointer and further tokens: `ptr('/configs/0', 'dynamic_listeners', 3)`. */
export function ptr(base: string, ...tokens: (string | number)[]): string {
  let out = base;
  for (const t of tokens) out += `/${pointerToken(t)}`;
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a required field, or throws an InputError naming the pointer and what was expected. */
export function need<T>(value: unknown, check: (v: unknown) => v is T, file: string, pointer: string, expected: string): T {
  if (check(value)) return value;
  throw new InputError(file, { pointer }, `expected ${expected}, found ${describe(value)}`);
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 40 ? s.slice(0, 40) + '…' : s}`;
}

/** A value from the input, quoted for a message: escaped, and cut short so a 5 MB field makes a one-line error. */
export function quote(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? text.slice(0, max) : text) + (text.length > max ? '…' : '');
}

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isArray = (v: unknown): v is unknown[] => Array.isArray(v);

/**
 * The pointer of the first value nested more than `limit` levels below `value` (which sits at `base`),
 * or undefined. Iterative, so it is safe on any input JSON.parse accepted; parsers that walk a
 * document recursively call it first, so a crafted nesting ends in an InputError, not a stack overflow.
 */
export function tooDeep(value: unknown, limit: number, base = ''): string | undefined {
  const stack: { v: unknown; at: string; depth: number }[] = [{ v: value, at: base, depth: 0 }];
  while (stack.length > 0) {
    const { v, at, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return at;
    for (const [k, x] of Object.entries(v)) if (typeof x === 'object' && x !== null) stack.push({ v: x, at: ptr(at, k), depth: depth + 1 });
  }
  return undefined;
}
