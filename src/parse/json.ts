import { InputError } from '../model/evidence.ts';

/** JSON.parse with an error that names the file and the line, instead of a bare SyntaxError. */
export function parseJsonText(text: string, file: string, expected: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    const line = pos ? lineOfOffset(text, Number(pos[1])) : undefined;
    throw new InputError(file, { line }, `invalid JSON (${message.replace(/^.*?: /, '')}); expected ${expected}`, 'the file may be truncated or not the output of the command named in DESIGN.md');
  }
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** One RFC 6901 reference token. */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins a pointer and further tokens: `ptr('/configs/0', 'dynamic_listeners', 3)`. */
export function ptr(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => `/${pointerToken(t)}`).join('');
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

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
