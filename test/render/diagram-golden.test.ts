import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { EXAMPLES } from '../../scripts/examples/topology.ts';
import { cli, goldenName, UPDATE } from '../cli/support.ts';
import { expectRenderGolden, RENDER_GOLDEN_DIR } from './support.ts';

const compared = new Set<string>();

describe('trace -o mermaid / -o dot: golden diagrams of every example trace', () => {
  for (const example of EXAMPLES) {
    for (const [src, dst] of example.traces) {
      for (const [output, ext] of [['mermaid', 'mmd'], ['dot', 'dot']] as const) {
        it(`${example.name}: ${src} → ${dst} (${output})`, async () => {
          const r = await cli(['trace', src, dst, '--snapshot', `examples/${example.name}`, '-o', output]);
          assert.equal(r.stderr, '');
          assert.equal(r.code, 0);
          const name = goldenName(example.name, src, dst, ext);
          compared.add(name);
          await expectRenderGolden(name, r.stdout);
        });
      }
    }
  }
});

describe('render goldens folder', () => {
  it('holds no golden that no test compares', async (t) => {
    if (UPDATE) return t.skip('UPDATE_GOLDEN=1: goldens are being written');
    assert.deepEqual((await readdir(RENDER_GOLDEN_DIR)).filter((f) => !compared.has(f)), []);
  });
});
