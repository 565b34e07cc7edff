import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Gaps, NODE_B_ROUTES, placeholder, WAYPOINT_SOCKETS } from './assert-support.ts';
import { assertNoStack, cli, expectGolden, GOLDEN_DIR, UPDATE, type CliResult } from './support.ts';

/** Every golden under golden/assert/ that this file compares. */
const compared = new Set<string>();

async function golden(name: string, actual: string): Promise<void> {
  compared.add(name);
  await expectGolden(`assert/${name}`, actual);
}

const AMBIENT = ['--snapshot', 'examples/ambient-1.24-inpod'];
const BYPASS = ['--snapshot', 'examples/sidecar-to-ambient-waypoint-bypass'];
const MIXED = ['--snapshot', 'examples/mixed-1.24'];
const SIDECAR = ['--snapshot', 'examples/sidecar-iptables'];

function ok(r: CliResult, code: number): void {
  assertNoStack(r.stdout);
  assert.equal(r.stderr, '');
  assert.equal(r.code, code);
}

describe('assert: expectations that hold exit 0, one ✓ line each', () => {
  const rows: { name: string; args: string[]; stdout: string }[] = [
    {
      name: 'through the waypoint over HBONE (ambient-1.24-inpod)',
      args: ['sleep', 'reviews', '--via', 'waypoint', '--hbone', ...AMBIENT],
      stdout: '✓ sleep → reviews: via waypoint\n✓ sleep → reviews: hbone\n\n2 passed, 0 failed\n',
    },
    {
      name: 'no expectation given: reachable',
      args: ['sleep', 'httpbin', ...AMBIENT],
      stdout: '✓ sleep → httpbin: reachable\n\n1 passed, 0 failed\n',
    },
    {
      name: '--unreachable: dropped by a network policy (mixed-1.24)',
      args: ['sleep', 'postgres.legacy', '--unreachable', ...MIXED],
      stdout: '✓ sleep → postgres.legacy: unreachable\n\n1 passed, 0 failed\n',
    },
    {
      name: 'every flag of one pair: --port, -n, --reachable, repeated --via and --not-via, --no-findings',
      args: ['sleep', 'httpbin.default', '-n', 'default', '--port', '8000', '--reachable', '--via', 'sidecar', '--via', 'sidecar', '--not-via', 'ztunnel', '--not-via', 'waypoint', '--no-findings', ...SIDECAR],
      stdout: [
        '✓ sleep → httpbin.default:8000: reachable', '✓ sleep → httpbin.default:8000: via sidecar', '✓ sleep → httpbin.default:8000: not via ztunnel',
        '✓ sleep → httpbin.default:8000: not via waypoint', '✓ sleep → httpbin.default:8000: no findings', '', '5 passed, 0 failed', '',
      ].join('\n'),
    },
    {
      name: '-n names the namespace of names without one, and shows in the pair\'s name',
      args: ['sleep', 'reviews.default', '-n', 'legacy', '--via', 'sidecar', '--hbone', ...BYPASS],
      stdout: '✓ sleep → reviews.default (-n legacy): via sidecar\n✓ sleep → reviews.default (-n legacy): hbone\n\n2 passed, 0 failed\n',
    },
    {
      name: '--allow-finding: the bypassed waypoint is allowed, and only it',
      args: ['sleep.legacy', 'reviews.default', '--allow-finding', 'waypoint-bypassed', '--not-via', 'waypoint', ...BYPASS],
      stdout: '✓ sleep.legacy → reviews.default: not via waypoint\n✓ sleep.legacy → reviews.default: no findings but waypoint-bypassed\n\n2 passed, 0 failed\n',
    },
  ];
  for (const r of rows) {
    it(r.name, async () => {
      const res = await cli(['assert', ...r.args]);
      ok(res, 0);
      assert.equal(res.stdout, r.stdout);
    });
  }
});

describe('assert: a failed expectation exits 1 and prints the offending trace', () => {
  const rows: { name: string; args: string[]; golden: string }[] = [
    { name: 'the waypoint is bypassed (--via waypoint)', args: ['sleep.legacy', 'reviews.default', '--via', 'waypoint', ...BYPASS], golden: 'bypass--via-waypoint.txt' },
    { name: 'the bypass is a finding (--no-findings)', args: ['sleep.legacy', 'reviews.default', '--no-findings', ...BYPASS], golden: 'bypass--no-findings.txt' },
    { name: '--allow-finding for another code does not allow it', args: ['sleep.legacy', 'reviews.default', '--allow-finding', 'capture-missing', ...BYPASS], golden: 'bypass--allow-other-finding.txt' },
    { name: 'dropped, expected reachable (--reachable)', args: ['sleep', 'postgres.legacy', '--reachable', ...MIXED], golden: 'mixed--postgres--reachable.txt' },
    { name: 'delivered, expected unreachable; one pass and two failures share one trace', args: ['sleep', 'reviews', '--unreachable', '--hbone', '--not-via', 'waypoint', ...AMBIENT], golden: 'ambient--reviews--unreachable.txt' },
    { name: 'plain TCP to a pod outside the mesh (--hbone)', args: ['sleep', 'legacy-app.legacy', '--hbone', ...MIXED], golden: 'mixed--legacy-app--hbone.txt' },
    { name: 'the SYN is accepted but its SYN-ACK is lost (--reachable)', args: ['sleep', 'httpbin', '--reachable', '--snapshot', 'examples/finding-reply-misrouted'], golden: 'reply-misrouted--reachable.txt' },
  ];
  for (const r of rows) {
    it(r.name, async () => {
      const res = await cli(['assert', ...r.args]);
      ok(res, 1);
      assert.match(res.stdout, /^✗ /m);
      await golden(r.golden, res.stdout);
    });
  }

  it('--soft: the same report, exit 0', async () => {
    const args = ['assert', 'sleep.legacy', 'reviews.default', '--via', 'waypoint', ...BYPASS];
    const hard = await cli(args);
    const soft = await cli([...args, '--soft']);
    ok(soft, 0);
    assert.equal(soft.stdout, hard.stdout);
  });
});

describe('assert: expectations that rest on inferred hops', () => {
  const gaps = new Gaps();
  before(() => gaps.setUp());
  after(() => gaps.tearDown());

  it('without --strict: passes, with a warning naming the hop and the missing file', async () => {
    const snap = await gaps.without('ambient-1.24-inpod', WAYPOINT_SOCKETS);
    const r = await cli(['assert', 'sleep', 'reviews', '--via', 'waypoint', '--hbone', '--snapshot', snap]);
    ok(r, 0);
    assert.equal(r.stdout, [
      '✓ sleep → reviews: via waypoint',
      `    ! rests on inferred hop 12 (${WAYPOINT_SOCKETS} missing); --strict would fail it`,
      '✓ sleep → reviews: hbone',
      '',
      '2 passed, 0 failed; 1 rests on inferred hops',
      '',
    ].join('\n'));
  });

  it('--strict: fails it, naming the hop and the missing file; what does not rest on the hop still passes', async () => {
    const snap = await gaps.without('ambient-1.24-inpod', WAYPOINT_SOCKETS);
    const r = await cli(['assert', 'sleep', 'reviews', '--via', 'waypoint', '--hbone', '--via', 'ztunnel', '--strict', '--snapshot', snap]);
    ok(r, 1);
    await golden('inferred--strict.txt', placeholder(r.stdout, snap));
  });

  it('a path that cannot be determined fails --reachable and --unreachable alike', async () => {
    const snap = await gaps.without('mixed-1.24', NODE_B_ROUTES);
    const r = await cli(['assert', 'sleep', 'postgres.legacy', '--reachable', '--snapshot', snap]);
    ok(r, 1);
    await golden('unknown--reachable.txt', placeholder(r.stdout, snap));
    const u = await cli(['assert', 'sleep', 'postgres.legacy', '--unreachable', '--not-via', 'waypoint', '--no-findings', '--snapshot', snap]);
    ok(u, 1);
    await golden('unknown--unreachable.txt', placeholder(u.stdout, snap));
  });
});

describe('assert -f: many pairs, one snapshot', () => {
  it('every expectation of the file holds', async () => {
    const r = await cli(['assert', '-f', 'test/cli/assert-fixtures/ambient.yaml', ...AMBIENT]);
    ok(r, 0);
    assert.equal(r.stdout, [
      '✓ reviews goes through its waypoint: via waypoint', '✓ reviews goes through its waypoint: hbone', '✓ reviews goes through its waypoint: no findings',
      '✓ sleep → httpbin:8000: reachable', '✓ sleep → httpbin:8000: via ztunnel', '✓ sleep → httpbin:8000: not via waypoint',
      '✓ sleep → httpbin:8000: not via sidecar', '✓ sleep → httpbin:8000: hbone', '', '8 passed, 0 failed', '',
    ].join('\n'));
  });

  it('one fails: the others still run, and only the failing pair\'s trace is printed', async () => {
    const r = await cli(['assert', '--filename', 'test/cli/assert-fixtures/mixed.yaml', ...MIXED]);
    ok(r, 1);
    await golden('file--mixed.txt', r.stdout);
  });
});

describe('assert --junit', () => {
  const gaps = new Gaps();
  before(() => gaps.setUp());
  after(() => gaps.tearDown());

  it('the whole report: a pass, a failure, a warning', async () => {
    const snap = await gaps.without('ambient-1.24-inpod', WAYPOINT_SOCKETS);
    const file = path.join(snap, 'report.xml');
    const r = await cli(['assert', 'sleep', 'reviews', '--via', 'waypoint', '--not-via', 'sidecar', '--unreachable', '--snapshot', snap, '--junit', file]);
    ok(r, 1);
    await golden('inferred.junit.xml', placeholder(await readFile(file, 'utf8'), snap));
  });
});

describe('assert --help', () => {
  it('documents every flag and the exit codes', async () => {
    const r = await cli(['assert', '--help']);
    ok(r, 0);
    await golden('help.txt', r.stdout);
  });
});

describe('assert goldens folder', () => {
  it('holds no golden that no test compares', async (t) => {
    if (UPDATE) return t.skip('UPDATE_GOLDEN=1: goldens are being written');
    const present = (await readdir(path.join(GOLDEN_DIR, 'assert'))).sort();
    assert.deepEqual(present.filter((f) => !compared.has(f)), []);
  });
});
