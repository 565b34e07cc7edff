import path from 'node:path';
import type { Io } from '../../src/cli/io.ts';
import { run } from '../../src/cli/program.ts';
import { projectRoot } from '../support/corpus.ts';
import { startFakeApiServer, type FakeApiServer, type FakeOptions } from '../fake-apiserver/server.ts';
import { snapshotCluster } from '../fake-apiserver/snapshot.ts';

export const EXAMPLES = path.join(projectRoot, 'examples');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The whole program in-process, with `env` as its environment (no CI spinner, no colour). */
export async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), color: false, env };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

/** A fake API server serving an example snapshot, with `change` applied to its options. */
export async function exampleCluster(example: string, change: (o: FakeOptions) => FakeOptions = (o) => o): Promise<{ fake: FakeApiServer; kubeconfig: string }> {
  const fake = await startFakeApiServer(change({ ...snapshotCluster(path.join(EXAMPLES, example)), token: 'test-token' }));
  return { fake, kubeconfig: await fake.kubeconfig() };
}
