import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020, type AnySchema, type ValidateFunction } from 'ajv/dist/2020.js';
import { ROOT } from './support.ts';

/**
 * Copies of example snapshots with files removed, in a temp dir: the hops that needed those files
 * become inferred, or the walk cannot go on. Traces print the snapshot path, so outputs replace it
 * with `$SNAPSHOT` before they are compared.
 */
export class Gaps {
  private dir = '';

  async setUp(): Promise<void> {
    this.dir = await mkdtemp(path.join(tmpdir(), 'istio-path-assert-'));
  }

  async tearDown(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  async without(example: string, ...files: string[]): Promise<string> {
    const dir = path.join(this.dir, `${example}-${this.count++}`);
    await cp(path.join(ROOT, 'examples', example), dir, { recursive: true });
    for (const f of files) await rm(path.join(dir, f));
    return dir;
  }

  private count = 0;
}

export function placeholder(text: string, snapshot: string): string {
  return text.split(snapshot).join('$SNAPSHOT');
}

/** The waypoint's sockets.txt in examples/ambient-1.24-inpod: its accepting hop (12) becomes inferred. */
export const WAYPOINT_SOCKETS = 'pods/default/waypoint-66b59898f6-q9d2x/sockets.txt';
/** node-b's routes in examples/mixed-1.24: the walk to postgres stops there (verdict unknown). */
export const NODE_B_ROUTES = 'nodes/node-b/ip-route.json';

/**
 * The published schemas leave objects open, so that readers of a newer v1 accept fields they do not
 * know. The tests close every object that lists its properties, so an output field missing from the
 * schema fails here instead of going unpublished.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v);
  if ('properties' in out && out.type === 'object') out.additionalProperties = false;
  return out;
}

export interface Validators {
  trace: ValidateFunction;
  report: ValidateFunction;
}

export async function schemaValidators(): Promise<Validators> {
  const load = async (f: string) => closed(JSON.parse(await readFile(path.join(ROOT, 'schema', f), 'utf8'))) as AnySchema;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addSchema(await load('trace.schema.json'));
  ajv.addSchema(await load('assertion-report.schema.json'));
  return { trace: ajv.getSchema('trace.schema.json')!, report: ajv.getSchema('assertion-report.schema.json')! };
}

/** Passes when `data` is valid; otherwise fails with ajv's errors, which say where and why. */
export function assertValid(validate: ValidateFunction, data: unknown, what: string): void {
  const ok = validate(data);
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors, null, 2)}`);
}
