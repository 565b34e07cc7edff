import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { displayName } from '../../src/cli/program.ts';
import { assertNoStack, cli, ROOT, type CliResult } from './support.ts';

const SNAP = 'examples/sidecar-iptables';
const SLEEP = 'pods/default/sleep-9c7d8b6f5-k2lpx';
const { version: PACKAGE_VERSION } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** An error run: the exit code, nothing on stdout, exactly `stderr`, and never a stack trace. */
function assertFails(r: CliResult, code: number, stderr: string): void {
  assertNoStack(r.stderr);
  assert.equal(r.stderr, stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.code, code);
}

describe('usage errors exit 2', () => {
  it('unknown source workload: the message lists the closest names', async () => {
    const r = await cli(['trace', 'slep', 'httpbin', '--snapshot', SNAP]);
    assertFails(r, 2, 'error: no pod, workload or service "slep" in namespace default; closest: svc/sleep, deploy/sleep\n');
  });

  it('unknown destination', async () => {
    const r = await cli(['trace', 'sleep', 'httpbim', '--snapshot', SNAP]);
    assertFails(r, 2, 'error: no pod, workload or service "httpbim" in namespace default; closest: svc/httpbin, deploy/httpbin\n');
  });

  it('unknown workload in another namespace (-n): closest names come from that namespace', async () => {
    const r = await cli(['trace', 'sleep', 'ztunnel-a', '-n', 'istio-system', '--snapshot', 'examples/ambient-1.24-inpod']);
    assertFails(r, 2, 'error: no pod, workload or service "ztunnel-a" in namespace istio-system; closest: pod/ztunnel-ax7k2, ds/ztunnel\n');
  });

  it('a destination pod with several ports and no port', async () => {
    const r = await cli(['trace', 'sleep', 'waypoint-66b59898f6-q9d2x', '--snapshot', 'examples/ambient-1.24-inpod']);
    assertFails(r, 2, 'error: no port for "waypoint-66b59898f6-q9d2x": give one as waypoint-66b59898f6-q9d2x:PORT or --port\n');
  });

  it('a destination service with several ports and no port', async () => {
    const r = await cli(['trace', 'sleep', 'waypoint', '--snapshot', 'examples/ambient-1.24-inpod']);
    assertFails(r, 2, 'error: service default/waypoint has ports 15008 (mesh), 15021 (status-port); pass --port or waypoint:PORT\n');
  });

  it('--port that is not on the service', async () => {
    const r = await cli(['trace', 'sleep', 'httpbin', '--port', '9999', '--snapshot', SNAP]);
    assertFails(r, 2, 'error: service default/httpbin has no port 9999; its ports are 8000 (http)\n');
  });

  it('NAME:PORT that is not on the service', async () => {
    const r = await cli(['trace', 'sleep', 'httpbin:99999', '--snapshot', SNAP]);
    assertFails(r, 2, 'error: service default/httpbin has no port 99999; its ports are 8000 (http)\n');
  });

  it('a port on the source', async () => {
    const r = await cli(['trace', 'sleep:80', 'httpbin', '--snapshot', SNAP]);
    assertFails(r, 2, 'error: the source "sleep:80" has a port; the port belongs to the destination\n');
  });

  it('an IP outside the snapshot without a port: the note, then the error', async () => {
    const r = await cli(['trace', 'sleep', '10.9.9.9', '--snapshot', SNAP]);
    assertFails(r, 2, 'note: 10.9.9.9 is not a pod, service or node address in the snapshot\nerror: no port for "10.9.9.9": give one as 10.9.9.9:PORT or --port\n');
  });

  it('bad -o value: commander\'s message', async () => {
    const r = await cli(['trace', 'sleep', 'httpbin', '-o', 'xml', '--snapshot', SNAP]);
    assertFails(r, 2, "error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are text, wide, json, yaml, mermaid, dot, html.\n(run with --help for usage)\n");
  });

  it('unknown option', async () => {
    const r = await cli(['trace', 'sleep', 'httpbin', '--bogus', '--snapshot', SNAP]);
    assertFails(r, 2, "error: unknown option '--bogus'\n(run with --help for usage)\n");
  });

  it('missing and extra arguments', async () => {
    assertFails(await cli(['trace']), 2, "error: missing required argument 'source'\n(run with --help for usage)\n");
    assertFails(await cli(['trace', 'sleep', 'httpbin', 'extra', '--snapshot', SNAP]), 2, "error: too many arguments for 'trace'. Expected 2 arguments but got 3.\n(run with --help for usage)\n");
  });

  it('unknown command', async () => {
    assertFails(await cli(['trce']), 2, "error: unknown command 'trce'\n(Did you mean trace?)\n(run with --help for usage)\n");
  });

  it('no command at all: usage on stderr, exit 2', async () => {
    const r = await cli([]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: istio-path \[options\] \[command\]\n/);
  });
});

describe('input errors exit 3', () => {
  let tmp: string;
  /** A copy of the sidecar-iptables example in the temp dir, changed by `edit`. */
  async function brokenCopy(name: string, edit: (dir: string) => Promise<void>): Promise<string> {
    const dir = path.join(tmp, name);
    await cp(path.join(ROOT, SNAP), dir, { recursive: true });
    await edit(dir);
    return dir;
  }

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'istio-path-cli-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('no --snapshot and no cluster to capture from', async () => {
    const r = await cli(['trace', 'sleep', 'httpbin']);
    assertFails(r, 3, 'error: cannot capture from the cluster: read kubeconfig (no kubeconfig found): no API server: no current context and no --server\n  hint: check --kubeconfig / $KUBECONFIG and --context (kubectl config get-contexts), pass --server and --token, or trace a saved snapshot with --snapshot PATH\n');
  });

  it('a snapshot path that does not exist', async () => {
    const r = await cli(['trace', 'sleep', 'httpbin', '--snapshot', 'examples/no-such-snapshot']);
    assertFails(r, 3, 'error: cannot read the snapshot: examples/no-such-snapshot: no such snapshot directory or archive (hint: a snapshot is a directory (or its .tar.gz) with meta.json at its root, laid out as in the README (Snapshots))\n');
  });

  it('a directory without meta.json', async () => {
    const r = await cli(['trace', 'sleep', 'httpbin', '--snapshot', 'examples']);
    assertFails(r, 3, 'error: cannot read the snapshot: examples: no meta.json at the root: not an istio-path snapshot (hint: a snapshot is a directory (or its .tar.gz) with meta.json at its root, laid out as in the README (Snapshots))\n');
  });

  it('meta.json with format istio-path-snapshot/v9', async () => {
    const dir = await brokenCopy('v9', async (d) => {
      const file = path.join(d, 'meta.json');
      const meta = JSON.parse(await readFile(file, 'utf8'));
      await writeFile(file, JSON.stringify({ ...meta, format: 'istio-path-snapshot/v9' }, null, 2));
    });
    const r = await cli(['trace', 'sleep', 'httpbin', '--snapshot', dir]);
    assertFails(r, 3, 'error: cannot read the snapshot: meta.json#/format: unsupported snapshot format "istio-path-snapshot/v9"; this build reads istio-path-snapshot/v1 (hint: capture the snapshot again with this version of istio-path, or use the version that wrote it)\n');
  });

  it('a corrupt iptables-save.txt: the message names the file and the line', async () => {
    const dir = await brokenCopy('iptables', async (d) => {
      const file = path.join(d, SLEEP, 'iptables-save.txt');
      const lines = (await readFile(file, 'utf8')).split('\n');
      assert.equal(lines[11], '[0:0] -A OUTPUT -p tcp -j ISTIO_OUTPUT');
      lines[11] = '[0:0] -A OUTPUT -p tcp -j';
      await writeFile(file, lines.join('\n'));
    });
    const r = await cli(['trace', 'sleep', 'httpbin', '--snapshot', dir]);
    assertFails(r, 3, `error: cannot read the snapshot: ${SLEEP}/iptables-save.txt:12: expected a name after -j\n`);
  });

  it('a truncated JSON file: the message names the file', async () => {
    let cut = '';
    const dir = await brokenCopy('json', async (d) => {
      const file = path.join(d, SLEEP, 'ip-route.json');
      cut = (await readFile(file, 'utf8')).slice(0, 100);
      await writeFile(file, cut);
    });
    // The parser quotes the JavaScript engine's own message, which differs between Node versions.
    let engine = '';
    try {
      JSON.parse(cut);
    } catch (e) {
      engine = (e as Error).message;
    }
    const r = await cli(['trace', 'sleep', 'httpbin', '--snapshot', dir]);
    assertFails(r, 3, `error: cannot read the snapshot: ${SLEEP}/ip-route.json:1: invalid JSON (${engine}); expected the output of \`ip -j route show table all\` (hint: the file may be truncated or not the output of the command named in the README (Snapshots))\n`);
  });

  it('a truncated k8s list: the message names the file and the line', async () => {
    let cut = '';
    const dir = await brokenCopy('k8s', async (d) => {
      const file = path.join(d, 'k8s/pods.json');
      cut = (await readFile(file, 'utf8')).slice(0, 300);
      await writeFile(file, cut);
    });
    let engine = '';
    try {
      JSON.parse(cut);
    } catch (e) {
      engine = (e as Error).message;
    }
    const r = await cli(['trace', 'sleep', 'httpbin', '--snapshot', dir]);
    assertFails(r, 3, `error: cannot read the snapshot: k8s/pods.json:${cut.split('\n').length}: invalid JSON (${engine}); expected a Kubernetes PodList (hint: the file may be truncated or not the output of the command named in the README (Snapshots))\n`);
  });

  it('a file that is not a gzip archive', async () => {
    const file = path.join(tmp, 'not-an-archive.tar.gz');
    await writeFile(file, 'hello\n');
    const r = await cli(['trace', 'sleep', 'httpbin', '--snapshot', file]);
    assertFails(r, 3, `error: cannot read the snapshot: ${file}: cannot read the archive: incorrect header check (hint: the archive is truncated or is not a gzip-compressed tar; capture it again or check the download)\n`);
  });
});

describe('--version, --help and the plugin name', () => {
  it('--version prints package.json\'s version and exits 0', async () => {
    const r = await cli(['--version']);
    assert.deepEqual(r, { code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
  });

  it('--help exits 0 with usage, commands, exit codes and examples on stdout', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage: istio-path \[options\] \[command\]\n/);
    assert.match(r.stdout, /^ {2}trace \[options\] <source> <destination> /m);
    assert.match(r.stdout, /^Exit codes:\n {2}0 {2}a trace was computed \(whatever its verdict\); assert: every expectation holds\n {2}1 {2}assert: an expectation failed\n {2}2 {2}usage error .*\n {2}3 {2}the input could not be captured or read\n/m);
    assert.match(r.stdout, /^ {2}istio-path trace sleep httpbin --snapshot examples\/ambient-1\.18-sleep-to-sidecar-httpbin$/m);
  });

  it('trace --help and help trace exit 0 with the trace usage', async () => {
    for (const args of [['trace', '--help'], ['help', 'trace']]) {
      const r = await cli(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^Usage: istio-path trace \[options\] <source> <destination>\n/);
      for (const flag of ['--snapshot <path>', '-n, --namespace <namespace>', '--port <port>', '-o, --output <format>']) assert.ok(r.stdout.includes(flag), flag);
    }
  });

  it('exit codes do not depend on process.exitCode (commander reads it for `help`)', async () => {
    const saved = process.exitCode;
    try {
      process.exitCode = 1;
      assert.equal((await cli(['help', 'trace'])).code, 0);
      assert.equal((await cli(['help'])).code, 0);
      process.exitCode = 0;
      assert.equal((await cli([])).code, 2);
    } finally {
      process.exitCode = saved;
    }
  });

  it('run as the kubectl plugin, usage and examples say "kubectl istio-path"', async () => {
    const r = await cli(['--help'], 'kubectl istio-path');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage: kubectl istio-path \[options\] \[command\]\n/);
    assert.match(r.stdout, /^ {2}kubectl istio-path trace sleep httpbin /m);
    assert.deepEqual(r.stdout.match(/(?<!kubectl )\bistio-path\b/g), null, 'every mention of the program carries the kubectl prefix');
    const sub = await cli(['trace', '--help'], 'kubectl istio-path');
    assert.match(sub.stdout, /^Usage: kubectl istio-path trace \[options\] <source> <destination>\n/);
  });

  it('displayName: the launcher\'s file name decides the name', () => {
    assert.equal(displayName('/usr/local/bin/kubectl-istio_path'), 'kubectl istio-path');
    assert.equal(displayName('/work/main/bin/kubectl-istio_path.js'), 'kubectl istio-path');
    assert.equal(displayName('C:\\tools\\kubectl-istio_path.cmd'), 'kubectl istio-path');
    assert.equal(displayName('/usr/local/bin/istio-path'), 'istio-path');
    assert.equal(displayName(undefined), 'istio-path');
  });
});
