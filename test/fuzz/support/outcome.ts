import { InputError } from '../../../src/model/evidence.ts';
import { InvariantError, type Target } from './targets.ts';

/**
 * What one input did to a parser. `ok` and `input-error` are the two acceptable ends; anything
 * else (another exception, an InputError that does not say where, a result breaking the model)
 * is a `crash`.
 */
export type Outcome = { kind: 'ok' } | { kind: 'input-error'; message: string } | { kind: 'crash'; reason: string; error: string; stack?: string };

export function run(target: Target, text: string): Outcome {
  let result: unknown;
  try {
    result = target.parse(text, target.file);
  } catch (err) {
    return classifyError(target, text, err);
  }
  try {
    target.check(result, target);
    checkEvidence(result, target, text);
  } catch (err) {
    if (err instanceof InvariantError) return { kind: 'crash', reason: `result breaks the model at ${err.message.split(':')[0].replace(/\[\d+\]/g, '[]')}`, error: `result breaks the model: ${err.message}` };
    return { kind: 'crash', reason: 'checking the result threw', error: `checking the result threw ${describeError(err)}`, stack: (err as Error)?.stack };
  }
  return { kind: 'ok' };
}

function classifyError(target: Target, text: string, err: unknown): Outcome {
  if (!(err instanceof InputError)) return { kind: 'crash', reason: err instanceof Error ? err.name : typeof err, error: describeError(err), stack: (err as Error)?.stack };
  const why = wrongInputError(target, text, err);
  return why ? { kind: 'crash', reason: why.replace(/ (line|pointer) .*/, ' $1'), error: `${why}: ${err.message}`, stack: err.stack } : { kind: 'input-error', message: err.message };
}

/** An InputError must name the parser's file, a line of it or a JSON pointer into it, and what was expected. */
function wrongInputError(target: Target, text: string, err: InputError): string | undefined {
  if (err.file !== target.file) return `InputError names ${JSON.stringify(err.file)} instead of the file parsed`;
  if (!err.expected) return 'InputError says nothing about what was expected';
  const { line, pointer } = err.where;
  if (line !== undefined) return validLine(line, text) ? undefined : `InputError names line ${line}, outside the file`;
  if (pointer !== undefined) return parentResolves(text, pointer) ? undefined : `InputError names pointer ${JSON.stringify(pointer)}, which does not lead into the document`;
  return 'InputError names neither a line nor a pointer';
}

function validLine(line: number, text: string): boolean {
  return Number.isInteger(line) && line >= 1 && line <= lineCount(text);
}

let counted: { text: string; lines: number } | undefined;

/** Counted once per input: a result holds an evidence line per rule. */
function lineCount(text: string): number {
  if (counted?.text !== text) {
    let n = 1;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
    counted = { text, lines: n };
  }
  return counted.lines;
}

/** Every reference token but the last must exist: a pointer may name a field that is missing, not a parent that is. */
function parentResolves(text: string, pointer: string): boolean {
  if (pointer === '') return true;
  if (!pointer.startsWith('/')) return false;
  const tokens = pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return false;
  }
  return resolve(doc, tokens.slice(0, -1)) !== MISSING;
}

const MISSING = Symbol('missing');

function resolve(doc: unknown, tokens: string[]): unknown {
  let cur = doc;
  for (const t of tokens) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, t)) return MISSING;
    cur = (cur as Record<string, unknown>)[t];
  }
  return cur;
}

/**
 * Every evidence in the result points into the parsed file: the same file name, a line that exists
 * or a pointer that resolves. Every number is finite.
 */
function checkEvidence(result: unknown, target: Target, text: string): void {
  let doc: unknown = MISSING;
  const seen = new Set<unknown>();
  const stack: { v: unknown; at: string }[] = [{ v: result, at: '' }];
  while (stack.length > 0) {
    const { v, at } = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) throw new InvariantError(`${at}: number ${v}`);
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    const entries: [string, unknown][] = v instanceof Map ? [...v] : Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    for (const [k, x] of entries) {
      if (k === 'evidence' && !Array.isArray(x) && typeof x === 'object' && x !== null) {
        const e = x as { file?: unknown; line?: unknown; pointer?: unknown; missing?: unknown };
        if (e.missing) continue;
        if (e.file !== target.file) throw new InvariantError(`${at}.evidence names ${JSON.stringify(e.file)}, not the file parsed`);
        if (e.line !== undefined && !validLine(e.line as number, text)) throw new InvariantError(`${at}.evidence line ${String(e.line)} is outside the file`);
        if (e.pointer !== undefined) {
          if (doc === MISSING) doc = JSON.parse(text);
          const p = String(e.pointer);
          if (p !== '' && resolve(doc, p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))) === MISSING) throw new InvariantError(`${at}.evidence pointer ${JSON.stringify(p)} does not resolve`);
        }
      }
      stack.push({ v: x, at: `${at}/${k}` });
    }
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `non-Error thrown: ${String(err)}`;
}

/** The crash's kind and the project frame it came from, without input-specific details, to count distinct crashes once. */
export function crashSignature(o: Extract<Outcome, { kind: 'crash' }>): string {
  const frame = o.stack?.split('\n').find((l) => l.includes('/src/'))?.trim() ?? '';
  return `${o.reason} @ ${frame.replace(/^at /, '').replace(/:\d+\)?$/, '')}`;
}
