import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../src/cli/io.ts';
import { run } from '../../src/cli/program.ts';
import { expectGoldenFile, UPDATE } from '../support/golden.ts';

/** The project root: snapshot paths are given relative to it, as a user in a checkout types them. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const GOLDEN_DIR = path.join(ROOT, 'test/cli/golden');

// Traces print the snapshot path as given, so the goldens hold `examples/<name>` and every run starts here.
process.chdir(ROOT);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the whole program in-process, colour off, and collects what it wrote. */
export async function cli(args: string[], name?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), color: false, env: {} };
  const code = await run(args, io, name);
  return { code, stdout, stderr };
}

/** A trace never ends in a stack trace, whatever went wrong. */
export function assertNoStack(text: string): void {
  const frames = text.split('\n').filter((l) => l.startsWith('    at '));
  assert.deepEqual(frames, [], `stack frames in output:\n${text}`);
}

export { UPDATE };

/** Compares `actual` with test/cli/golden/<name>, the whole text; UPDATE_GOLDEN=1 (re)writes it instead. */
export function expectGolden(name: string, actual: string): Promise<void> {
  return expectGoldenFile(GOLDEN_DIR, name, actual, 'test/cli/*.test.ts');
}

/** `<example>--<src>--<dst>.<ext>`, with characters a file name cannot hold replaced. */
export function goldenName(example: string, src: string, dst: string, ext: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe(example)}--${safe(src)}--${safe(dst)}.${ext}`;
}
