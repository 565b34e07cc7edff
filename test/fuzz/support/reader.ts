import fc from 'fast-check';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../../../src/model/evidence.ts';
import { readSnapshot } from '../../../src/snapshot/read.ts';
import { writeSnapshot } from '../../../src/snapshot/write.ts';
import { projectRoot } from '../../support/corpus.ts';
import type { Budget, TargetReport } from './campaign.ts';
import { describeError } from './outcome.ts';
import { mutate, mutationArb } from './mutate.ts';

/**
 * The snapshot reader on damaged archives: each example snapshot packed as a `.tar.gz`, then its tar
 * stream (headers, names, sizes, type flags) or its gzip bytes mutated. Reading must end in a snapshot
 * whose every file parses or fails with an InputError, or in an InputError; nothing else.
 */
export async function fuzzReader(budget: Budget): Promise<TargetReport> {
  const dir = await mkdtemp(path.join(tmpdir(), 'istio-path-fuzz-'));
  const report: TargetReport = { target: 'snapshot-reader', inputs: 0, ok: 0, inputErrors: 0, seeds: 0, crashes: [], ms: 0 };
  const started = performance.now();
  try {
    const tars = await exampleTars(dir);
    report.seeds = tars.length;
    const arb = fc.record({ seed: fc.nat({ max: tars.length - 1 }), layer: fc.constantFrom('tar', 'gzip'), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) });
    const file = path.join(dir, 'fuzzed.tar.gz');
    for (let seed = budget.seed; performance.now() - started < (budget.ms ?? Infinity) && report.inputs < (budget.inputs ?? Infinity); seed++) {
      for (const input of fc.sample(arb, { seed, numRuns: Math.min(20, (budget.inputs ?? Infinity) - report.inputs) })) {
        const tar = tars[input.seed];
        await writeFile(file, input.layer === 'tar' ? gzipSync(mutate(tar, input.mutations)) : mutate(gzipSync(tar), input.mutations));
        report.inputs++;
        const outcome = await readFully(file);
        if (outcome === 'ok') report.ok++;
        else if (outcome === 'input-error') report.inputErrors++;
        else if (!report.crashes.some((c) => c.error === outcome.error)) report.crashes.push({ target: 'snapshot-reader', signature: outcome.error, error: outcome.error, stack: outcome.stack, input: '', origin: `${JSON.stringify(input)}` });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  report.ms = performance.now() - started;
  return report;
}

/** Reads the snapshot and every file in it, as a trace touching every netns would. */
async function readFully(file: string): Promise<'ok' | 'input-error' | { error: string; stack?: string }> {
  const isInputError = (err: unknown) => err instanceof InputError && err.file !== '' && err.expected !== '';
  try {
    const snapshot = await readSnapshot(file, { maxBytes: 64 << 20 });
    let refused = false;
    for (const netns of snapshot.netns.values()) {
      for (const key of Object.keys(netns)) {
        try {
          void (netns as unknown as Record<string, unknown>)[key];
        } catch (err) {
          if (!isInputError(err)) throw err;
          refused = true;
        }
      }
    }
    return refused ? 'input-error' : 'ok';
  } catch (err) {
    return isInputError(err) ? 'input-error' : { error: describeError(err), stack: (err as Error)?.stack };
  }
}

/** Every example snapshot as an uncompressed tar, through the project's own writer. */
async function exampleTars(dir: string): Promise<Buffer[]> {
  const root = path.join(projectRoot, 'examples');
  const out: Buffer[] = [];
  for (const name of (await readdir(root)).sort()) {
    const files = new Map<string, Buffer>();
    const walk = async (abs: string, rel: string) => {
      for (const e of await readdir(abs, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(path.join(abs, e.name), rel ? `${rel}/${e.name}` : e.name);
        else files.set(rel ? `${rel}/${e.name}` : e.name, await readFile(path.join(abs, e.name)));
      }
    };
    await walk(path.join(root, name), '');
    const archive = path.join(dir, `${name}.tar.gz`);
    await writeSnapshot(archive, files);
    out.push(gunzipSync(await readFile(archive)));
  }
  return out;
}

