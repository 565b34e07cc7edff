import type { Trace } from './trace.ts';

/**
 * The `istio-path/v1` assertion contract: what `assert` checks and what it reports (`-o json`,
 * schema/assertion-report.schema.json). Fields may be added; none renamed or removed.
 */

/** The proxies a path can be required to pass through, or to avoid. */
export const VIA_COMPONENTS = ['waypoint', 'ztunnel', 'sidecar'] as const;
export type ViaComponent = (typeof VIA_COMPONENTS)[number];

/** One property of one traced path. */
export type Check =
  | { kind: 'reachable' }
  | { kind: 'unreachable' }
  | { kind: 'via'; component: ViaComponent }
  | { kind: 'not-via'; component: ViaComponent }
  | { kind: 'hbone' }
  /** No finding, except those whose code is in `allow`. */
  | { kind: 'findings'; allow: string[] };

/** A source, a destination, and how to resolve them: what `trace` takes, as `assert` states it. */
export interface Pair {
  /** How results name the pair: the file's `name`, else `<source> → <destination>`. */
  name: string;
  source: string;
  destination: string;
  namespace: string;
  /** The destination port, a number or a port name. */
  port?: number | string;
}

export interface Expectation {
  /** `<pair name>: <check>`, e.g. `sleep → reviews: via waypoint`. */
  name: string;
  pair: Pair;
  check: Check;
  /** Where an expectations file states it. */
  origin?: { file: string; line?: number; pointer: string };
}

/** An inferred hop a result depends on, and the files whose absence made it so. */
export interface InferredHop {
  hop: number;
  where: string;
  missing: string[];
}

export interface AssertionResult {
  expectation: Expectation;
  passed: boolean;
  message: string;
  /** The hops whose outcome decided the result. */
  restsOn: number[];
  /** Those of `restsOn` that are inferred; `--strict` fails a result that has any. */
  restsOnInferred: InferredHop[];
  /** Set when the result passed but rests on inferred hops. */
  warning?: string;
  trace: Trace;
}

export interface AssertionReport {
  apiVersion: 'istio-path/v1';
  kind: 'AssertionReport';
  snapshot: Trace['snapshot'];
  strict: boolean;
  /** Every expectation held. */
  passed: boolean;
  summary: { total: number; passed: number; failed: number; warnings: number };
  results: AssertionResult[];
}
