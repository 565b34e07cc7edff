import { readFile, writeFile } from 'node:fs/promises';
import { ResolveError } from '../engine/resolve/error.ts';
import { assertionReport, evaluate } from '../engine/expect/evaluate.ts';
import { expectationsOf, pairName } from '../engine/expect/expectation.ts';
import type { AssertionResult, Check, Expectation, Pair, Snapshot, Trace, ViaComponent } from '../model/index.ts';
import { ExpectationsError, parseExpectations } from '../parse/expectations.ts';
import { renderAssertText } from '../render/assert-text.ts';
import { renderJunit } from '../render/junit.ts';
import { PAIR_FLAGS, type AssertFlags } from './assert.ts';
import { CliError, EXIT } from './exit.ts';
import type { Io } from './io.ts';
import { computeTrace, loadSnapshot } from './trace-run.ts';

export interface AssertInvocation {
  source?: string;
  destination?: string;
  flags: AssertFlags;
  /** Whether the user gave a flag, as opposed to its default. */
  given: (key: keyof AssertFlags) => boolean;
}

/** The pairs to trace, each with its expectations and, from a file, where it is stated. */
interface Planned {
  pair: Pair;
  expectations: Expectation[];
}

export async function runAssert(inv: AssertInvocation, io: Io): Promise<void> {
  const { flags } = inv;
  // Every usage problem is reported before the snapshot, however large, is read or captured.
  let plan = flags.filename ? await fromFile(inv) : fromFlags(inv);
  let snapshot: Snapshot;
  if (flags.snapshot) {
    snapshot = await loadSnapshot(flags.snapshot);
  } else {
    const live = await captureFor(plan, inv, io);
    snapshot = live.snapshot;
    // As for a live trace, a pair given without -n is in the kubeconfig context's namespace.
    if (!flags.filename && flags.namespace === undefined) plan = fromFlags(inv, live.namespace);
  }
  const options = { strict: !!flags.strict };
  const results: AssertionResult[] = [];
  for (const { pair, expectations } of plan) {
    const trace = traceOf(snapshot, pair, expectations[0].origin, io);
    for (const e of expectations) results.push(evaluate(e, trace, options));
  }
  const report = assertionReport(results, { path: snapshot.path, capturedAt: snapshot.meta.capturedAt, istio: snapshot.meta.istio?.version }, options);
  if (flags.junit) await writeJunit(flags.junit, renderJunit(report));
  io.stdout(flags.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderAssertText(report, { color: io.color }));
  // The failures are on stdout already; nothing more to say on stderr.
  if (!report.passed && !flags.soft) throw new CliError('', EXIT.assertionFailed);
}

function fromFlags(inv: AssertInvocation, namespace = inv.flags.namespace ?? 'default'): Planned[] {
  const { source, destination, flags } = inv;
  if (!source || !destination) throw new CliError('give <source> <destination>, or an expectations file with -f FILE', EXIT.usage);
  if (flags.reachable && flags.unreachable) throw new CliError('--reachable and --unreachable contradict each other', EXIT.usage);
  const via = [...new Set(flags.via ?? [])] as ViaComponent[];
  const notVia = [...new Set(flags.notVia ?? [])] as ViaComponent[];
  const both = via.find((c) => notVia.includes(c));
  if (both) throw new CliError(`--via ${both} and --not-via ${both} contradict each other`, EXIT.usage);
  const checks: Check[] = [];
  if (flags.reachable) checks.push({ kind: 'reachable' });
  if (flags.unreachable) checks.push({ kind: 'unreachable' });
  checks.push(...via.map((component) => ({ kind: 'via', component }) as const));
  checks.push(...notVia.map((component) => ({ kind: 'not-via', component }) as const));
  if (flags.hbone) checks.push({ kind: 'hbone' });
  if (!flags.findings || flags.allowFinding) checks.push({ kind: 'findings', allow: [...new Set(flags.allowFinding ?? [])] });
  if (!checks.length) checks.push({ kind: 'reachable' });
  const port = flags.port === undefined ? undefined : /^\d+$/.test(flags.port) ? Number(flags.port) : flags.port;
  const where = { source, destination, namespace, ...(port !== undefined ? { port } : {}) };
  const pair: Pair = { name: pairName(where), ...where };
  return [{ pair, expectations: expectationsOf(pair, checks) }];
}

async function fromFile(inv: AssertInvocation): Promise<Planned[]> {
  const file = inv.flags.filename!;
  if (inv.source !== undefined) throw new CliError('give either <source> <destination> or -f FILE, not both', EXIT.usage);
  const stray = PAIR_FLAGS.find((f) => inv.given(f.key));
  if (stray) throw new CliError(`${stray.flag} states one pair's expectations; with -f, state it in the file (see the README, "CI assertions")`, EXIT.usage);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the expectations file ${file}: ${(err as Error).message}`, EXIT.usage);
  }
  try {
    return parseExpectations(text, file).map((spec) => {
      const pair: Pair = { ...spec.pair, name: spec.pair.name ?? pairName(spec.pair) };
      return { pair, expectations: expectationsOf(pair, spec.checks, spec.origin) };
    });
  } catch (err) {
    if (err instanceof ExpectationsError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
}

/**
 * No --snapshot: one capture for every pair, so pairs that share a workload, a node or a waypoint
 * read it once. A pair that names nothing in the cluster is reported as it would be in a snapshot.
 */
async function captureFor(plan: Planned[], inv: AssertInvocation, io: Io): Promise<{ snapshot: Snapshot; namespace: string }> {
  // The Kubernetes client loads only when a capture runs.
  const { liveSnapshot, LiveCaptureError } = await import('../capture/live.ts');
  const { PairResolveError } = await import('../capture/discover.ts');
  const { flags } = inv;
  const fromFlags = !flags.filename;
  const pairs = plan.map(({ pair }) => ({
    source: pair.source,
    destination: pair.destination,
    // Left out, the capture takes the context's namespace, which the plan then adopts.
    ...(fromFlags && flags.namespace === undefined ? {} : { namespace: pair.namespace }),
    ...(pair.port !== undefined ? { port: String(pair.port) } : {}),
  }));
  try {
    return await liveSnapshot({ pairs, flags, env: io.env, stderr: io.stderr }, flags.saveSnapshot);
  } catch (err) {
    if (err instanceof LiveCaptureError) throw new CliError(err.message, EXIT.input);
    if (err instanceof PairResolveError) throw atOrigin(plan[err.index].expectations[0].origin, err);
    throw err;
  }
}

/** One trace per pair; a pair from a file that names nothing usable is reported at its place in the file. */
function traceOf(snapshot: Snapshot, pair: Pair, origin: Expectation['origin'], io: Io): Trace {
  const flags = { namespace: pair.namespace, port: pair.port === undefined ? undefined : String(pair.port) };
  try {
    return computeTrace(snapshot, pair.source, pair.destination, flags, io);
  } catch (err) {
    throw atOrigin(origin, err);
  }
}

function atOrigin(origin: Expectation['origin'], err: unknown): unknown {
  if (origin && (err instanceof ResolveError || err instanceof CliError)) {
    return new CliError(`${origin.file}${origin.line !== undefined ? `:${origin.line}` : ''}: ${origin.pointer}: ${err.message}`, EXIT.usage);
  }
  return err;
}

async function writeJunit(file: string, xml: string): Promise<void> {
  try {
    await writeFile(file, xml);
  } catch (err) {
    throw new CliError(`cannot write the JUnit report ${file}: ${(err as Error).message}`, EXIT.usage);
  }
}
