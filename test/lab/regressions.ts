import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSnapshot } from '../../src/snapshot/read.ts';
import { writeSnapshot } from '../../src/snapshot/write.ts';
import { predict, type Side } from './judge.ts';
import { senderOf, type Regression } from './random.ts';

export const REGRESSIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'regressions');

export function loadRegressions(): { name: string; reg: Regression }[] {
  return readdirSync(REGRESSIONS).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), reg: JSON.parse(readFileSync(path.join(REGRESSIONS, f), 'utf8')) as Regression }));
}

/** The engine's prediction from the snapshot stored with a regression case: no kernel needed. */
export async function predictStored(reg: Regression): Promise<Side> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'istio-path-lab-regression-'));
  try {
    await writeSnapshot(dir, new Map(Object.entries(reg.snapshot)));
    const conn = reg.case.connections[reg.connection];
    const { netns, sender } = senderOf(conn);
    const side = predict(await readSnapshot(dir), netns, sender, conn.dst, conn.dport);
    return { outcome: side.outcome, fired: [...side.fired].sort() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
