import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readSnapshot } from '../../src/snapshot/read.ts';
import { computeTrace } from '../../src/cli/trace-run.ts';
import { projectRoot } from '../support/corpus.ts';

const quiet = { stdout: () => {}, stderr: () => {}, color: false, env: {} };

/**
 * The sidecar example with node-b's route back to node-a's pods sent through a third node, node-c, that
 * the snapshot lists but did not capture (a live capture reads only the two ends' nodes by default).
 * The SYN goes node-a → node-b as before; its SYN-ACK leaves node-b towards node-c, where the trace
 * cannot follow it.
 */
async function asymmetric(dir: string): Promise<void> {
  await cp(path.join(projectRoot, 'examples/sidecar-iptables'), dir, { recursive: true });
  const routesFile = path.join(dir, 'nodes/node-b/ip-route.json');
  const routes = JSON.parse(await readFile(routesFile, 'utf8')) as { dst: string; gateway?: string }[];
  for (const r of routes) if (r.dst === '10.244.1.0/24') r.gateway = '172.18.0.9';
  await writeFile(routesFile, JSON.stringify(routes));
  const nodesFile = path.join(dir, 'k8s/nodes.json');
  const nodes = JSON.parse(await readFile(nodesFile, 'utf8')) as { items: unknown[] };
  nodes.items.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-c' }, spec: { podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'] }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.9' }] } });
  await writeFile(nodesFile, JSON.stringify(nodes));
}

describe('handshake', () => {
  it('a SYN-ACK that leaves for a node the snapshot lacks leaves the verdict alone and says it was not followed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'istio-path-handshake-'));
    try {
      await asymmetric(dir);
      const t = computeTrace(await readSnapshot(dir), 'sleep', 'httpbin', {}, quiet);
      assert.equal(t.verdict, 'delivered');
      assert.deepEqual(t.legs.map((l) => l.handshake), [undefined, undefined, undefined]);
      assert.deepEqual(t.findings.map((f) => [f.code, f.severity, f.message, f.hops]), [[
        'handshake-unverified', 'info',
        'the SYN-ACK of leg 2 could not be followed (the packet reaches node node-c, whose network namespace is not in the snapshot); the connection is taken to open',
        [t.hops.find((h) => t.legs[1].hops.includes(h.n) && h.action.startsWith('accept'))!.n],
      ]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
