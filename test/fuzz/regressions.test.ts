import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run } from './support/outcome.ts';
import { loadCases } from './support/regressions.ts';
import { targetNamed } from './support/targets.ts';

/**
 * Every crash the fuzzer ever found (test/fuzz/regressions/<parser>/<id>.input), replayed with the
 * exact outcome it must have now. A case whose parser is still being fixed elsewhere runs as a todo.
 */
describe('fuzz regressions', () => {
  const cases = loadCases();
  it('are present', () => assert.ok(cases.length > 0));
  for (const c of cases) {
    it(`${c.target}/${c.id} (once: ${c.expect.found})`, c.expect.todo ? { todo: c.expect.todo } : {}, () => {
      const outcome = run(targetNamed(c.target), c.input);
      assert.deepEqual(outcome, c.expect.outcome === 'ok' ? { kind: 'ok' } : { kind: 'input-error', message: c.expect.message });
    });
  }
});
