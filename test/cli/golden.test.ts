import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { EXAMPLES } from '../../scripts/examples/topology.ts';
import { assertNoStack, cli, expectGolden, GOLDEN_DIR, goldenName, UPDATE } from './support.ts';

/** Every golden this file compares; anything else in the folder is left over from a removed case. */
const expectedGoldens = new Set<string>();

async function golden(name: string, actual: string): Promise<void> {
  expectedGoldens.add(name);
  await expectGolden(name, actual);
}

function traceArgs(example: string, src: string, dst: string, ...more: string[]): string[] {
  return ['trace', src, dst, '--snapshot', `examples/${example}`, ...more];
}

describe('trace: golden outputs of every example trace', () => {
  for (const example of EXAMPLES) {
    for (const [src, dst] of example.traces) {
      describe(`${example.name}: ${src} → ${dst}`, () => {
        it('text', async () => {
          const r = await cli(traceArgs(example.name, src, dst));
          assert.equal(r.stderr, '');
          assert.equal(r.code, 0);
          assertNoStack(r.stdout);
          assert.match(r.stdout, /^VERDICT {2}(delivered|dropped|no-route|unknown) — .+$/m);
          await golden(goldenName(example.name, src, dst, 'txt'), r.stdout);
        });

        it('json', async () => {
          const r = await cli(traceArgs(example.name, src, dst, '-o', 'json'));
          assert.equal(r.stderr, '');
          assert.equal(r.code, 0);
          await golden(goldenName(example.name, src, dst, 'json'), r.stdout);
        });

        it('yaml holds the same data as json', async () => {
          const json = await cli(traceArgs(example.name, src, dst, '-o', 'json'));
          const yaml = await cli(traceArgs(example.name, src, dst, '-o', 'yaml'));
          assert.equal(yaml.stderr, '');
          assert.equal(yaml.code, 0);
          assert.deepEqual(parseYaml(yaml.stdout), JSON.parse(json.stdout));
        });
      });
    }
  }
});

describe('trace: other output formats', () => {
  it('-o yaml (ambient-1.18-sleep-to-sidecar-httpbin: sleep → httpbin)', async () => {
    const example = 'ambient-1.18-sleep-to-sidecar-httpbin';
    const r = await cli(traceArgs(example, 'sleep', 'httpbin', '-o', 'yaml'));
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^apiVersion: istio-path\/v1\nkind: Trace\n/);
    await golden(goldenName(example, 'sleep', 'httpbin', 'yaml'), r.stdout);
  });

  it('-o wide (ambient-1.18-sleep-to-sidecar-httpbin: sleep → httpbin)', async () => {
    const example = 'ambient-1.18-sleep-to-sidecar-httpbin';
    const r = await cli(traceArgs(example, 'sleep', 'httpbin', '-o', 'wide'));
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    // Wide shows every hop's packet, so it is never shorter than the default text.
    const text = await cli(traceArgs(example, 'sleep', 'httpbin'));
    assert.ok(r.stdout.length > text.stdout.length);
    await golden(goldenName(example, 'sleep', 'httpbin', 'wide.txt'), r.stdout);
  });

  it('an ambiguous pick prints a note on stderr and still traces (mixed-1.24: sleep → deploy/httpbin)', async () => {
    const example = 'mixed-1.24';
    const r = await cli(traceArgs(example, 'sleep', 'deploy/httpbin'));
    assert.equal(r.stderr, 'note: 2 pods match deployment default/httpbin; using httpbin-6f4c5d8b9-8rx7p (Running); others: httpbin-6f4c5d8b9-zc5mk\n');
    assert.equal(r.code, 0);
    await golden(goldenName(example, 'sleep', 'deploy/httpbin', 'txt'), r.stdout);
  });

  it('colour is off when the Io says so: no escape sequences', async () => {
    const r = await cli(traceArgs('sidecar-iptables', 'sleep', 'httpbin'));
    assert.doesNotMatch(r.stdout, /\x1b\[/);
  });
});

describe('goldens folder', () => {
  it('holds no golden that no test compares', async (t) => {
    if (UPDATE) return t.skip('UPDATE_GOLDEN=1: goldens are being written');
    // Subfolders belong to other commands' tests, which guard their own.
    const present = (await readdir(GOLDEN_DIR, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
    assert.deepEqual(present.filter((f) => !expectedGoldens.has(f)), []);
  });
});
