import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from './corpus.ts';

export const UPDATE = process.env.UPDATE_GOLDEN === '1';

/**
 * Compares `actual` with the golden file `dir/name`, the whole text; UPDATE_GOLDEN=1 (re)writes it
 * instead. `tests` is the glob whose run regenerates it, for the message of a missing golden.
 */
export async function expectGoldenFile(dir: string, name: string, actual: string, tests: string): Promise<void> {
  const file = path.join(dir, name);
  const rel = path.relative(projectRoot, file);
  if (UPDATE) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, actual);
    return;
  }
  if (!existsSync(file)) assert.fail(`missing golden ${rel}; create it with: UPDATE_GOLDEN=1 node --import tsx --test ${tests} (then read it before committing)`);
  assert.equal(actual, await readFile(file, 'utf8'), `output differs from ${rel}; if the change is intended, regenerate with UPDATE_GOLDEN=1 and review the diff`);
}
