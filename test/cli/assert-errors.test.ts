import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertNoStack, cli, type CliResult } from './support.ts';

const AMBIENT = ['--snapshot', 'examples/ambient-1.24-inpod'];
const FILE = 'test/cli/assert-fixtures/ambient.yaml';

/** An error run: the exit code, nothing on stdout, exactly `stderr`, and never a stack trace. */
function assertFails(r: CliResult, code: number, stderr: string): void {
  assertNoStack(r.stderr);
  assert.equal(r.stderr, stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.code, code);
}

const USAGE = '(run with --help for usage)\n';

describe('assert: usage errors exit 2, before the snapshot is read', () => {
  const rows: { name: string; args: string[]; stderr: string }[] = [
    { name: 'no pair and no file', args: [], stderr: 'error: give <source> <destination>, or an expectations file with -f FILE\n' },
    { name: 'a source without a destination', args: ['sleep'], stderr: 'error: give <source> <destination>, or an expectations file with -f FILE\n' },
    { name: '--reachable with --unreachable', args: ['sleep', 'reviews', '--reachable', '--unreachable'], stderr: 'error: --reachable and --unreachable contradict each other\n' },
    { name: '--via X with --not-via X', args: ['sleep', 'reviews', '--via', 'ztunnel', '--not-via', 'sidecar', '--not-via', 'ztunnel'], stderr: 'error: --via ztunnel and --not-via ztunnel contradict each other\n' },
    { name: 'an unknown component', args: ['sleep', 'reviews', '--via', 'gateway'], stderr: `error: option '--via <component>' argument 'gateway' is invalid. Allowed choices are waypoint, ztunnel, sidecar.\n${USAGE}` },
    { name: 'an unknown component for --not-via', args: ['sleep', 'reviews', '--not-via', 'kernel'], stderr: `error: option '--not-via <component>' argument 'kernel' is invalid. Allowed choices are waypoint, ztunnel, sidecar.\n${USAGE}` },
    { name: 'a finding code that is not kebab-case', args: ['sleep', 'reviews', '--allow-finding', 'WaypointBypassed'], stderr: `error: option '--allow-finding <code>' argument 'WaypointBypassed' is invalid. A finding code is kebab-case, e.g. waypoint-bypassed.\n${USAGE}` },
    { name: 'an output assert does not have', args: ['sleep', 'reviews', '-o', 'yaml'], stderr: `error: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are text, json.\n${USAGE}` },
    { name: 'three arguments', args: ['sleep', 'reviews', 'httpbin'], stderr: `error: too many arguments for 'assert'. Expected 2 arguments but got 3.\n${USAGE}` },
    { name: '-f with a pair', args: ['sleep', 'reviews', '-f', FILE], stderr: 'error: give either <source> <destination> or -f FILE, not both\n' },
    { name: '-f with --via', args: ['-f', FILE, '--via', 'waypoint'], stderr: 'error: --via states one pair\'s expectations; with -f, state it in the file (see the README, "CI assertions")\n' },
    { name: '-f with -n', args: ['-f', FILE, '-n', 'default'], stderr: 'error: -n states one pair\'s expectations; with -f, state it in the file (see the README, "CI assertions")\n' },
    { name: '-f with --no-findings', args: ['-f', FILE, '--no-findings'], stderr: 'error: --no-findings states one pair\'s expectations; with -f, state it in the file (see the README, "CI assertions")\n' },
    { name: '-f with a file that does not exist', args: ['-f', 'no-such.yaml'], stderr: 'error: cannot read the expectations file no-such.yaml: ENOENT: no such file or directory, open \'no-such.yaml\'\n' },
  ];
  for (const r of rows) {
    // No --snapshot: a usage error must win over the missing snapshot (exit 3).
    it(r.name, async () => assertFails(await cli(['assert', ...r.args]), 2, r.stderr));
  }

  it('an unknown workload, as trace reports it', async () => {
    assertFails(await cli(['assert', 'slep', 'reviews', ...AMBIENT]), 2, 'error: no pod, workload or service "slep" in namespace default; closest: svc/sleep, deploy/sleep\n');
  });
});

describe('assert -f: an invalid file names the file, the line and the path of the bad key', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'istio-path-expect-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  async function file(name: string, text: string): Promise<string> {
    const f = path.join(tmp, name);
    await writeFile(f, text);
    return f;
  }
  const HEAD = 'apiVersion: istio-path/v1\nkind: Expectations\npairs:\n';

  it('a bad key: exit 2 without reading the snapshot', async () => {
    const f = await file('bad-key.yaml', `${HEAD}  - source: sleep\n    destination: reviews\n    expect:\n      via: waypiont\n`);
    assertFails(await cli(['assert', '-f', f]), 2, `error: ${f}:7: /pairs/0/expect/via: "waypiont" is not a component; expected waypoint, ztunnel, sidecar\n`);
  });

  it('not YAML', async () => {
    const f = await file('not-yaml.yaml', `${HEAD}  - source: "sleep\n`);
    assertFails(await cli(['assert', '-f', f]), 2, `error: ${f}:5: not valid YAML: Missing closing "quote\n`);
  });

  it('a pair whose workload is not in the snapshot: its place in the file, then the resolver\'s message', async () => {
    const f = await file('unknown.yaml', `${HEAD}  - source: sleep\n    destination: reviews\n  - source: sleep\n    destination: reveiws\n`);
    assertFails(await cli(['assert', '-f', f, ...AMBIENT]), 2, `error: ${f}:6: /pairs/1: no pod, workload or service "reveiws" in namespace default; closest: svc/reviews\n`);
  });

  it('a pair whose destination has several ports and none given', async () => {
    const f = await file('port.yaml', `${HEAD}  - source: sleep\n    destination: waypoint\n`);
    assertFails(await cli(['assert', '-f', f, ...AMBIENT]), 2, `error: ${f}:4: /pairs/0: service default/waypoint has ports 15008 (mesh), 15021 (status-port); pass --port or waypoint:PORT\n`);
  });
});

describe('assert: input errors exit 3', () => {
  it('no --snapshot and no cluster to capture from', async () => {
    assertFails(await cli(['assert', 'sleep', 'reviews']), 3, 'error: cannot capture from the cluster: read kubeconfig (no kubeconfig found): no API server: no current context and no --server\n  hint: check --kubeconfig / $KUBECONFIG and --context (kubectl config get-contexts), pass --server and --token, or trace a saved snapshot with --snapshot PATH\n');
  });

  it('a snapshot that does not exist, with -f', async () => {
    assertFails(await cli(['assert', '-f', FILE, '--snapshot', 'examples/no-such-snapshot']), 3, 'error: cannot read the snapshot: examples/no-such-snapshot: no such snapshot directory or archive (hint: a snapshot is a directory (or its .tar.gz) with meta.json at its root, laid out as in the README (Snapshots))\n');
  });
});

describe('assert --junit to a path that cannot be written', () => {
  it('exits 2 and says which file', async () => {
    const r = await cli(['assert', 'sleep', 'reviews', '--junit', 'no-such-dir/report.xml', ...AMBIENT]);
    assertFails(r, 2, 'error: cannot write the JUnit report no-such-dir/report.xml: ENOENT: no such file or directory, open \'no-such-dir/report.xml\'\n');
  });
});
