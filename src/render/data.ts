import { stringify } from 'yaml';
import type { Trace } from '../model/index.ts';

/** `-o json`: the trace contract, exactly. */
export function renderJson(trace: Trace): string {
  return JSON.stringify(trace, null, 2) + '\n';
}

/** `-o yaml`: the same data. */
export function renderYaml(trace: Trace): string {
  return stringify(trace, { lineWidth: 0 });
}
