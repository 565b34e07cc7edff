import { InputError } from '../model/evidence.ts';
import { ResolveError } from '../engine/resolve/error.ts';
import { inert } from '../render/inert.ts';

/** Exit codes, as DESIGN.md and the README state them. */
export const EXIT = {
  ok: 0,
  assertionFailed: 1,
  usage: 2,
  input: 3,
} as const;

/** An error meant for the user, with the exit code it ends the program with. */
export class CliError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

/**
 * Maps any error to the line the user reads and the exit code; unexpected errors say so instead of dumping a stack.
 * Messages quote the snapshot (names, values, JSON excerpts), so they are made inert like the text output.
 */
export function explain(err: unknown): { message: string; code: number } {
  const { message, code } = reason(err);
  // A CliError's own lines (a message, then its hint) stay lines; within them, nothing is raw.
  return { message: err instanceof CliError ? message.split('\n').map(inert).join('\n') : inert(message), code };
}

function reason(err: unknown): { message: string; code: number } {
  if (err instanceof CliError) return { message: err.message, code: err.code };
  if (err instanceof ResolveError) return { message: err.message, code: EXIT.usage };
  if (err instanceof InputError) return { message: `cannot read the snapshot: ${err.message}`, code: EXIT.input };
  const e = err as { code?: string; message?: string; path?: string };
  if (e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return { message: `cannot read ${e.path ?? 'the input'}: ${e.message}`, code: EXIT.input };
  return { message: `internal error: ${e?.message ?? String(err)} (please report it with the snapshot)`, code: EXIT.input };
}
