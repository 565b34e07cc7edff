import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../cli/support.ts';

const ENTRY = path.join(ROOT, 'dist/istio-path.mjs');

/** Files a cold start loads: the entry and the chunks it imports statically (dynamic `import()` excluded). */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(/^(?:import\s[^;]*?from\s*|import\s*)"(\.[^"]+)"/gm)) staticClosure(path.resolve(path.dirname(file), m[1]!), seen);
  return seen;
}

describe('the bundle loads ink, react and Graphviz only on their own paths', () => {
  it('istio-path --version loads none of them', (t) => {
    if (!existsSync(ENTRY)) return t.skip('dist/ not built: run `npm run build` (npm test builds first)');
    const loaded = [...staticClosure(ENTRY)];
    // esbuild keeps each bundled module's path as a comment, so the source package shows in the chunk.
    const heavy = loaded.filter((f) => /\/\/ node_modules\/(ink|react|react-reconciler|@viz-js\/viz)\//.test(readFileSync(f, 'utf8')));
    assert.deepEqual(heavy.map((f) => path.relative(ROOT, f)), []);
  });
});
