/**
 * A one-pass scanner of JSON as UTF-8 bytes that builds nodes only for the values an index needs: down
 * to a given depth, and of an object only the members asked for. A node records where its value sits,
 * so any part can be decoded and handed to JSON.parse later, on its own. A large config dump is then
 * indexed without a tree of it, or even a string of it, in memory.
 *
 * What gets nodes is checked against RFC 8259 (the grammar JSON.parse accepts); an object or array
 * that gets no node is only followed through its strings and brackets to its end, so an error inside
 * it surfaces when that part is parsed. Every byte JSON gives meaning to is ASCII; any other byte can
 * only be part of a string.
 *
 * The bytes come from a source a window at a time, so a scan holds one window, or one value too long
 * for it, and never the file; a string that gets a node keeps its decoded value, since its bytes go
 * with the window.
 */

import type { ByteSource } from '../byte-source.ts';

export const OBJECT = 1;
export const ARRAY = 2;
export const STRING = 3;
export const NUMBER = 4;
export const LITERAL = 5;

export interface JsonNode {
  type: number;
  /** The value is the bytes `[start, end)`. */
  start: number;
  end: number;
  /** An object whose members get nodes: their keys as written (a repeated key is kept; the last one wins, as in JSON.parse). */
  keys?: string[];
  /** An object or array whose members get nodes: their values. */
  values?: JsonNode[];
  /** A string: its value, as JSON.parse gives it. */
  value?: string;
}

/** Bytes read at a time, unless a value needs more. */
const WINDOW = 1 << 20;

/** What a token's scan returns when the window ends before the token does and the source has more bytes. */
const NEED = -2;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Set by `stringEnd`: the string just scanned held an escape. */
let escaped = false;
/** Set by `key`: the member whose key was just read gets a node. */
let keepMember = false;
/** Set by `scanJson` for the window it scans: the source has bytes past it. */
let more = false;

/**
 * The nodes of `source` down to `depth` (the root is depth 0), or undefined when it is not JSON; the
 * caller then lets JSON.parse name the error. `select[d]`, when given, names the only members of objects
 * at depth d that get nodes (ASCII keys). Iterative, so nesting depth costs no stack. `window` is how
 * many bytes are read at a time.
 */
export function scanJson(source: ByteSource, depth: number, select: readonly (readonly string[] | undefined)[] = [], window = WINDOW): JsonNode | undefined {
  // The window: `text` is the source's bytes from `base` on, read into `buffer` where the source copies.
  // Offsets below are into it; nodes get the file's.
  let text: Uint8Array = new Uint8Array(0);
  let base = 0;
  let buffer = text;
  /**
   * Moves the window to start at `from`. It holds at least twice what the token there had of the old
   * window: a token longer than a window is read again in windows that double until one holds it,
   * about twice its length in all, and memory stays within one window or twice the longest token.
   */
  const refill = (from: number): void => {
    const start = base + from;
    const end = Math.min(source.size, start + Math.max(window, 2 * (text.length - from)));
    if (buffer.length < end - start) buffer = new Uint8Array(end - start);
    text = source.read(start, end, buffer);
    base = start;
    more = end < source.size;
  };
  /** The end of the token at i, which is read again from its start while the window cuts it. */
  const token = (scan: (text: Uint8Array, i: number) => number, i: number): number => {
    let end: number;
    while ((end = scan(text, i)) === NEED) {
      refill(i);
      i = 0;
    }
    return end;
  };
  /** Past the whitespace at i; short of the window's end unless the source ends there. */
  const ws = (i: number): number => {
    while ((i = skipWs(text, i)) === text.length && more) {
      refill(i);
      i = 0;
    }
    return i;
  };
  /**
   * `"key" :` at i (whitespace skipped) in `node`; returns where the value starts, or -1. Sets
   * `keepMember`. The node gets the key only once it is whole, so reading a token again never has
   * anything to undo.
   */
  const key = (i: number, node: JsonNode, wanted: readonly string[] | undefined): number => {
    if (text[i] !== QUOTE) return -1;
    const start = base + i;
    const end = token(stringEnd, i);
    if (end < 0) return -1;
    i = start - base;
    let name: string | undefined;
    if (escaped || !wanted) {
      name = JSON.parse(utf8(text, i, end)) as string;
      if (wanted && !wanted.includes(name)) name = undefined;
    } else {
      name = wanted.find((w) => sameAscii(text, i + 1, end - 1, w));
    }
    const colon = ws(end);
    if (text[colon] !== COLON) return -1;
    keepMember = name !== undefined;
    if (keepMember) node.keys!.push(name!);
    return ws(colon + 1);
  };

  // The open objects and arrays whose members get nodes, outermost first.
  const frames: JsonNode[] = [];
  let root: JsonNode | undefined;
  const attach = (node: JsonNode): void => {
    if (frames.length === 0) root = node;
    else frames[frames.length - 1].values!.push(node);
  };
  refill(0);
  let i = ws(0);
  for (;;) {
    // A value starts at i.
    if (i >= text.length) return undefined;
    const c = text[i];
    const level = frames.length;
    const keep = level === 0 || keepMember || frames[level - 1].type === ARRAY;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const object = c === OPEN_OBJECT;
      if (keep && level < depth) {
        const start = base + i;
        const node: JsonNode = object ? { type: OBJECT, start, end: -1, keys: [], values: [] } : { type: ARRAY, start, end: -1, values: [] };
        attach(node);
        frames.push(node);
        i = ws(i + 1);
        if (i >= text.length || text[i] !== (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
          if (object) {
            i = key(i, node, select[level]);
            if (i < 0) return undefined;
          }
          continue;
        }
        // An empty container: what follows it is read below.
      } else {
        const start = base + i;
        i = token(containerEnd, i);
        if (i < 0) return undefined;
        if (keep) attach({ type: object ? OBJECT : ARRAY, start, end: base + i });
        i = ws(i);
      }
    } else {
      const start = base + i;
      let type: number;
      if (c === QUOTE) {
        i = token(stringEnd, i);
        type = STRING;
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
        i = token(numberEnd, i);
        type = NUMBER;
      } else {
        i = token(literalEnd, i);
        type = LITERAL;
      }
      if (i < 0) return undefined;
      if (keep) {
        const end = base + i;
        attach(type === STRING ? { type, start, end, value: stringValue(text, start - base, i) } : { type, start, end });
      }
      i = ws(i);
    }
    // After a value: a comma, a close, or the end of the source.
    for (;;) {
      const open = frames.length;
      if (open === 0) return i === text.length ? root : undefined;
      if (i >= text.length) return undefined;
      const d = text[i];
      const top = frames[open - 1];
      const object = top.type === OBJECT;
      if (d === (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        frames.pop();
        top.end = base + i + 1;
        i = ws(i + 1);
        continue;
      }
      if (d !== COMMA) return undefined;
      i = ws(i + 1);
      if (object) {
        i = key(i, top, select[open - 1]);
        if (i < 0) return undefined;
      }
      break;
    }
  }
}

/** The string `[start, end)` (quotes included) of `text`; JSON.parse is needed only for escapes. */
function stringValue(text: Uint8Array, start: number, end: number): string {
  return escaped ? (JSON.parse(utf8(text, start, end)) as string) : utf8(text, start + 1, end - 1);
}

/** Byte classes for `containerEnd`: 0 for every byte that neither opens nor closes anything. */
const BRACKETS = new Uint8Array(256);
BRACKETS[QUOTE] = 1;
BRACKETS[OPEN_OBJECT] = 2;
BRACKETS[OPEN_ARRAY] = 2;
BRACKETS[CLOSE_OBJECT] = 3;
BRACKETS[CLOSE_ARRAY] = 3;

/** The closers `containerEnd` expects, innermost last; kept between calls. */
let closers = new Uint8Array(64);

/** The offset after the object or array opening at i, following only strings and brackets; -1 if it does not close. NEED when the window cuts it. */
function containerEnd(text: Uint8Array, i: number): number {
  const n = text.length;
  let open = 0;
  for (; i < n; i++) {
    const c = text[i];
    const kind = BRACKETS[c];
    if (kind === 0) continue;
    if (kind === 1) {
      for (i++; i < n; i++) {
        const d = text[i];
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
      if (i >= n) return more ? NEED : -1;
    } else if (kind === 2) {
      if (open === closers.length) {
        const grown = new Uint8Array(open * 2);
        grown.set(closers);
        closers = grown;
      }
      // `{` + 2 is `}`, `[` + 2 is `]`.
      closers[open++] = c + 2;
    } else {
      if (open === 0 || closers[--open] !== c) return -1;
      if (open === 0) return i + 1;
    }
  }
  return more ? NEED : -1;
}

/** Whether the bytes `[start, end)` spell `word` (an ASCII key). */
function sameAscii(text: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (text[start + k] !== word.charCodeAt(k)) return false;
  return true;
}

// Keeps a leading byte order mark, as reading the file as UTF-8 does (JSON.parse then refuses it).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The bytes `[start, end)` as text, as reading the file as UTF-8 would give them. */
export function utf8(text: Uint8Array, start: number, end: number): string {
  return decoder.decode(text.subarray(start, end));
}

function skipWs(text: Uint8Array, i: number): number {
  const n = text.length;
  let c: number;
  while (i < n && ((c = text[i]) === SPACE || c === LF || c === CR || c === TAB)) i++;
  return i;
}

/** The offset after the string starting at i, or -1, or NEED when the window cuts it; sets `escaped`. */
function stringEnd(text: Uint8Array, i: number): number {
  const n = text.length;
  escaped = false;
  for (i++; i < n; i++) {
    const c = text[i];
    if (c === QUOTE) return i + 1;
    if (c < SPACE) return -1;
    if (c === BACKSLASH) {
      escaped = true;
      if (++i >= n) return more ? NEED : -1;
      const e = text[i];
      if (e === 0x75 /* u */) {
        if (i + 4 >= n) return more ? NEED : -1;
        for (let k = 1; k <= 4; k++) if (!isHex(text[i + k])) return -1;
        i += 4;
      } else if (!(e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) {
        return -1;
      }
    }
  }
  return more ? NEED : -1;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** The byte at i, or -1 past the window. */
function at(text: Uint8Array, i: number): number {
  return i < text.length ? text[i] : -1;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at i; the offset after it, or -1, or NEED when the window cuts it. */
function numberEnd(text: Uint8Array, i: number): number {
  if (at(text, i) === MINUS) i++;
  const first = at(text, i);
  if (first === ZERO) i++;
  else if (first > ZERO && first <= NINE) while (isDigit(at(text, ++i)));
  else return cut(text, i);
  if (at(text, i) === DOT) {
    if (!isDigit(at(text, ++i))) return cut(text, i);
    while (isDigit(at(text, ++i)));
  }
  const e = at(text, i);
  if (e === 0x65 || e === 0x45 /* e E */) {
    const s = at(text, ++i);
    if (s === PLUS || s === MINUS) i++;
    if (!isDigit(at(text, i))) return cut(text, i);
    while (isDigit(at(text, ++i)));
  }
  // More digits may follow a number that ends with the window.
  return i < text.length || !more ? i : NEED;
}

/** A number that fails at i: for want of bytes when i is past the window and the source has more. */
function cut(text: Uint8Array, i: number): number {
  return i >= text.length && more ? NEED : -1;
}

const LITERALS = ['true', 'false', 'null'];

function literalEnd(text: Uint8Array, i: number): number {
  // Fewer bytes left in the window than `false` has may be a literal it cuts.
  if (more && i + 5 > text.length) return NEED;
  for (const word of LITERALS) if (i + word.length <= text.length && sameAscii(text, i, i + word.length, word)) return i + word.length;
  return -1;
}
