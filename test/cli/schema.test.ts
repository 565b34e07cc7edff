import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { EXAMPLES } from '../../scripts/examples/topology.ts';
import { assertValid, schemaValidators, type Validators } from './assert-support.ts';
import { cli, ROOT } from './support.ts';

let v: Validators;
before(async () => {
  v = await schemaValidators();
});

describe('schema/trace.schema.json', () => {
  for (const example of EXAMPLES) {
    for (const [src, dst] of example.traces) {
      it(`${example.name}: ${src} → ${dst} -o json is valid`, async () => {
        const r = await cli(['trace', src, dst, '--snapshot', `examples/${example.name}`, '-o', 'json']);
        assert.equal(r.code, 0);
        assertValid(v.trace, JSON.parse(r.stdout), `${example.name} ${src} → ${dst}`);
      });
    }
  }

  it('rejects what breaks the contract', async () => {
    const r = await cli(['trace', 'sleep', 'httpbin', '--snapshot', 'examples/sidecar-iptables', '-o', 'json']);
    const good = JSON.parse(r.stdout);
    const bad: [string, (t: any) => void, string][] = [
      ['no verdict', (t) => delete t.verdict, "must have required property 'verdict'"],
      ['an unknown verdict', (t) => (t.verdict = 'maybe'), 'must be equal to one of the allowed values'],
      ['a hop with an unknown component', (t) => (t.hops[0].component = 'gateway'), 'must be equal to one of the allowed values'],
      ['evidence without a file', (t) => delete t.hops[0].evidence[0].file, "must have required property 'file'"],
      ['another apiVersion', (t) => (t.apiVersion = 'istio-path/v2'), 'must be equal to constant'],
      ['a field the schema does not publish', (t) => (t.hops[0].unpublished = 1), 'must NOT have additional properties'],
    ];
    for (const [what, edit, message] of bad) {
      const t = structuredClone(good);
      edit(t);
      assert.equal(v.trace(t), false, what);
      assert.ok(v.trace.errors!.some((e) => e.message === message), `${what}: ${JSON.stringify(v.trace.errors)}`);
    }
  });
});

describe('schema/assertion-report.schema.json', () => {
  const runs: [string, string[]][] = [
    ['passing expectations', ['sleep', 'reviews', '--via', 'waypoint', '--hbone', '--snapshot', 'examples/ambient-1.24-inpod']],
    ['a failing expectation', ['sleep.legacy', 'reviews.default', '--via', 'waypoint', '--no-findings', '--allow-finding', 'unsupported', '--snapshot', 'examples/sidecar-to-ambient-waypoint-bypass']],
    ['an expectations file', ['-f', 'test/cli/assert-fixtures/mixed.yaml', '--snapshot', 'examples/mixed-1.24', '--strict']],
  ];
  for (const [what, args] of runs) {
    it(`assert -o json, ${what}, is valid`, async () => {
      const r = await cli(['assert', ...args, '-o', 'json']);
      assertValid(v.report, JSON.parse(r.stdout), what);
    });
  }
});

describe('the schemas ship and state the compatibility promise', () => {
  it('package.json files includes schema', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    assert.ok(pkg.files.includes('schema'));
  });

  for (const file of ['trace.schema.json', 'assertion-report.schema.json']) {
    it(`${file} is draft 2020-12 and says fields are added, never renamed or removed`, async () => {
      const s = JSON.parse(await readFile(path.join(ROOT, 'schema', file), 'utf8')) as { $schema: string; description: string };
      assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema');
      assert.match(s.description, /fields are only added, never renamed or removed/);
    });
  }
});
