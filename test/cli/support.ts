import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../src/cli/io.ts';
import { run } from '../../src/cli/program.ts';

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

export const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Compares `actual` with test/cli/golden/<name>, the whole text; UPDATE_GOLDEN=1 (re)writes it instead. */
export async function expectGolden(name: string, actual: string): Promise<void> {
  const file = path.join(GOLDEN_DIR, name);
  const rel = path.relative(ROOT, file);
  if (UPDATE) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, actual);
    return;
  }
  if (!existsSync(file)) {
    assert.fail(`missing golden ${rel}; create it with: UPDATE_GOLDEN=1 node --import tsx --test test/cli/*.test.ts (then read it before committing)`);
  }
  const expected = await readFile(file, 'utf8');
  assert.equal(actual, expected, `output differs from ${rel}; if the change is intended, regenerate with UPDATE_GOLDEN=1 and review the diff`);
}

/** `<example>--<src>--<dst>.<ext>`, with characters a file name cannot hold replaced. */
export function goldenName(example: string, src: string, dst: string, ext: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe(example)}--${safe(src)}--${safe(dst)}.${ext}`;
}
