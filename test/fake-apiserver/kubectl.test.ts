import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startFakeApiServer } from './server.ts';

/** The stock kubectl against the fake API server: proof that the fake speaks the real protocols. */
const version = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
const minor = version.status === 0 ? Number((JSON.parse(version.stdout) as { clientVersion: { minor: string } }).clientVersion.minor.replace(/\D.*$/, '')) : undefined;
const NO_KUBECTL = minor === undefined ? 'skipped: kubectl is not installed (Debian package kubernetes-client)' : undefined;
// kubectl speaks exec over WebSocket from 1.30; older clients use SPDY, which the fake does not serve.
const NO_WS_EXEC = NO_KUBECTL ?? (minor! < 30 ? `skipped: kubectl 1.${minor} execs over SPDY only; the fake serves exec over WebSocket (kubectl ≥ 1.30)` : undefined);

const POD = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sleep-1', namespace: 'default', labels: { app: 'sleep' }, creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { nodeName: 'node-a', containers: [{ name: 'sleep', image: 'curl' }] }, status: { phase: 'Running', podIP: '10.244.1.5' } };

async function kubectl(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const fake = await startFakeApiServer({
    objects: { pods: [POD] },
    token: 'kubectl-token',
    exec: (req) => (req.command[0] === 'echo' ? { stdout: `${req.command.slice(1).join(' ')}\n`, code: 0 } : { stdout: '', stderr: 'boom\n', code: 7 }),
  });
  try {
    const kubeconfig = await fake.kubeconfig();
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      // Asynchronous: the fake server runs in this process.
      import('node:child_process').then(({ execFile }) => execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', `${kubeconfig}-cache`, ...args], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));
    });
    return r;
  } finally {
    await fake.close();
  }
}

describe('kubectl against the fake API server', () => {
  it('kubectl get pods', { skip: NO_KUBECTL }, async () => {
    const r = await kubectl(['get', 'pods', '-o', 'name']);
    assert.deepEqual(r, { status: 0, stdout: 'pod/sleep-1\n', stderr: '' });
    const selected = await kubectl(['get', 'pods', '-A', '-l', 'app=other', '-o', 'name']);
    assert.equal(selected.stdout, '');
  });

  it('kubectl exec', { skip: NO_WS_EXEC }, async () => {
    assert.deepEqual(await kubectl(['exec', 'sleep-1', '--', 'echo', 'hello', 'mesh']), { status: 0, stdout: 'hello mesh\n', stderr: '' });
    const failed = await kubectl(['exec', 'sleep-1', '--', 'false']);
    assert.equal(failed.status, 7);
    assert.equal(failed.stderr, 'boom\ncommand terminated with exit code 7\n');
  });
});
