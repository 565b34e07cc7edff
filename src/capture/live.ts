import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Snapshot } from '../model/snapshot.ts';
import { readSnapshot } from '../snapshot/read.ts';
import { writeSnapshot } from '../snapshot/write.ts';
import { capture, type CapturePair, type Captured } from './capture.ts';
import { describeFailure } from './failure.ts';
import { CaptureError } from './failure.ts';
import type { CaptureFlags } from './kube-flags.ts';
import { spinner } from './progress.ts';

export interface LiveRequest {
  pairs: CapturePair[];
  namespace?: string;
  flags: CaptureFlags;
  env: Record<string, string | undefined>;
  stderr: (text: string) => void;
}

/** Raised for a capture that could not start or finish; the CLI turns it into exit code 3. */
export class LiveCaptureError extends Error {}

/**
 * Captures the pairs with a spinner on stderr, then reports on stderr, one line each, what could not
 * be read (those hops will be inferred).
 */
export async function captureLive(req: LiveRequest): Promise<Captured> {
  const progress = await spinner(req.env);
  try {
    const captured = await capture({ ...req, progress, warn: (t) => req.stderr(`warning: ${t}\n`) });
    progress.stop();
    for (const f of captured.meta.failures ?? []) req.stderr(`warning: ${describeFailure(f)}\n`);
    if (captured.meta.failures?.length) req.stderr(`warning: ${captured.meta.failures.length} read(s) failed; the hops that needed them are inferred (meta.json lists them)\n`);
    return captured;
  } catch (err) {
    progress.stop();
    if (err instanceof CaptureError) throw new LiveCaptureError(`cannot capture from the cluster: ${err.message}`);
    throw err;
  }
}

/**
 * A live trace's (or a live assert's) snapshot: captured, saved where `--save-snapshot` says (or in a temporary folder
 * removed once read), and read back through the same reader as any snapshot.
 */
export async function liveSnapshot(req: LiveRequest, saveTo: string | undefined): Promise<{ snapshot: Snapshot; namespace: string }> {
  const captured = await captureLive(req);
  const dir = saveTo ? undefined : await mkdtemp(path.join(tmpdir(), 'istio-path-live-'));
  try {
    const target = saveTo ?? dir!;
    await writeSnapshot(target, captured.files);
    const snapshot = await readSnapshot(target);
    // The trace's header names where the data came from: the saved snapshot, or the cluster.
    snapshot.path = saveTo ?? `live:${captured.meta.cluster?.context ?? 'cluster'}`;
    // Netns files parse on first read, so a temporary snapshot must be read fully before it goes.
    if (dir) for (const ns of snapshot.netns.values()) for (const key of Object.keys(ns)) void (ns as unknown as Record<string, unknown>)[key];
    return { snapshot, namespace: captured.namespace };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
