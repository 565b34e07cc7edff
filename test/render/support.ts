import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, UPDATE } from '../cli/support.ts';

export const RENDER_GOLDEN_DIR = path.join(ROOT, 'test/render/golden');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** Compares `actual` with test/render/golden/<name>, the whole text; UPDATE_GOLDEN=1 (re)writes it instead. */
export async function expectRenderGolden(name: string, actual: string): Promise<void> {
  const file = path.join(RENDER_GOLDEN_DIR, name);
  const rel = path.relative(ROOT, file);
  if (UPDATE) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, actual);
    return;
  }
  if (!existsSync(file)) assert.fail(`missing golden ${rel}; create it with: UPDATE_GOLDEN=1 node --import tsx --test test/render/*.test.ts (then read it before committing)`);
  assert.equal(actual, await readFile(file, 'utf8'), `output differs from ${rel}; if the change is intended, regenerate with UPDATE_GOLDEN=1 and review the diff`);
}

/** Hop numbers an edge label stands for: `3`, `1–5`, `4, 6–7`. */
export function labelHops(label: string): number[] {
  if (!label) return [];
  return label.split(', ').flatMap((part) => {
    const [a, b] = part.split('–').map(Number);
    return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
  });
}
