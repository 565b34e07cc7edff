import fc from 'fast-check';
import { decode, mutate, mutationArb } from './mutate.ts';
import { crashSignature, run, type Outcome } from './outcome.ts';
import { corpusSeeds, exampleSeeds, type Seed } from './seeds.ts';
import type { Target } from './targets.ts';

export interface Crash {
  target: string;
  signature: string;
  error: string;
  stack?: string;
  /** The shrunk input, as the parser received it. */
  input: string;
  /** How the input was made: the grammar, or the seed file and its mutations. */
  origin: string;
}

export interface TargetReport {
  target: string;
  inputs: number;
  ok: number;
  inputErrors: number;
  seeds: number;
  crashes: Crash[];
  ms: number;
}

export interface Budget {
  /** fast-check seed of the first batch; each further batch uses the next integer. */
  seed: number;
  /** Stop a target after this many inputs… */
  inputs?: number;
  /** …or after this many milliseconds, whichever comes first. */
  ms?: number;
}

type Input = { text: string; origin: string };

let seedCache: Map<string, Seed[]> | undefined;

export function seedsFor(target: Target): Seed[] {
  if (!seedCache) {
    seedCache = exampleSeeds();
    for (const [k, list] of corpusSeeds()) seedCache.set(k, [...(seedCache.get(k) ?? []), ...list]);
  }
  return target.seeds.flatMap((name) => seedCache!.get(name) ?? []);
}

/** Grammar inputs and mutations of real files, in equal parts when the parser has real files. */
export function inputArb(target: Target): fc.Arbitrary<Input> {
  const grammar = target.grammar.map((text) => ({ text, origin: 'grammar' }));
  const seeds = seedsFor(target);
  if (seeds.length === 0) return grammar;
  const mutated = fc.tuple(fc.nat({ max: seeds.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([i, ms]) => ({
    text: decode(mutate(seeds[i].bytes, ms)),
    origin: `${seeds[i].origin} ${JSON.stringify(ms)}`,
  }));
  return fc.oneof(grammar, mutated);
}

class NewCrash extends Error {}

/**
 * Runs one parser on generated inputs until the budget is spent. A crash not seen before stops the
 * batch so fast-check shrinks it to a small input; crashes already known are counted and passed over.
 */
export function fuzzTarget(target: Target, budget: Budget): TargetReport {
  const report: TargetReport = { target: target.name, inputs: 0, ok: 0, inputErrors: 0, seeds: seedsFor(target).length, crashes: [], ms: 0 };
  const known = new Set<string>();
  const started = performance.now();
  const left = () => (budget.ms ?? Infinity) - (performance.now() - started);
  const arb = inputArb(target);
  let last: { outcome: Extract<Outcome, { kind: 'crash' }>; input: Input } | undefined;
  const property = fc.property(arb, (input) => {
    report.inputs++;
    const outcome = run(target, input.text);
    if (outcome.kind === 'ok') report.ok++;
    else if (outcome.kind === 'input-error') report.inputErrors++;
    else if (!known.has(crashSignature(outcome))) {
      last = { outcome, input };
      throw new NewCrash(outcome.error);
    }
    return true;
  });
  for (let seed = budget.seed; left() > 0 && report.inputs < (budget.inputs ?? Infinity); seed++) {
    const numRuns = Math.min(200, (budget.inputs ?? Infinity) - report.inputs);
    const r = fc.check(property, { seed, numRuns, interruptAfterTimeLimit: Math.max(1, Math.min(left(), 2 ** 31 - 1)), endOnFailure: false });
    if (r.failed && last && r.counterexample) {
      const [input] = r.counterexample;
      // The shrunk input may crash differently; record what it does.
      const outcome = run(target, input.text);
      const crash = outcome.kind === 'crash' ? outcome : last.outcome;
      const signature = crashSignature(crash);
      known.add(crashSignature(last.outcome));
      known.add(signature);
      report.crashes.push({ target: target.name, signature, error: crash.error, stack: crash.stack, input: outcome.kind === 'crash' ? input.text : last.input.text, origin: outcome.kind === 'crash' ? input.origin : last.input.origin });
      last = undefined;
    }
  }
  report.ms = performance.now() - started;
  return report;
}
