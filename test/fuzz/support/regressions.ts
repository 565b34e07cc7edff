import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../support/corpus.ts';
import type { Crash } from './campaign.ts';

/**
 * A crash the fuzzer once found, kept forever: `<target>/<id>.input` holds the input as the parser
 * received it (UTF-8), `<target>/<id>.json` what must happen now. A case whose parser is not fixed
 * yet carries `todo` and is replayed as a node:test todo.
 */
export interface Expectation {
  /** `ok`: parses; `input-error`: refused with exactly `message`. */
  outcome: 'ok' | 'input-error';
  message?: string;
  /** The crash as first seen. */
  found: string;
  /** Set while the parser still crashes on the input: why it is not fixed yet. */
  todo?: string;
}

export const REGRESSIONS = path.join(projectRoot, 'test/fuzz/regressions');

export interface Case {
  target: string;
  id: string;
  input: string;
  expect: Expectation;
}

export function loadCases(): Case[] {
  if (!existsSync(REGRESSIONS)) return [];
  return readdirSync(REGRESSIONS).sort().flatMap((target) =>
    readdirSync(path.join(REGRESSIONS, target))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => {
        const id = f.slice(0, -'.json'.length);
        return {
          target,
          id,
          input: readFileSync(path.join(REGRESSIONS, target, `${id}.input`), 'utf8'),
          expect: JSON.parse(readFileSync(path.join(REGRESSIONS, target, f), 'utf8')) as Expectation,
        };
      }),
  );
}

/** Writes a new crash as a todo case; the one who fixes the parser sets the outcome it must have. */
export function saveCrash(crash: Crash): string {
  const id = createHash('sha256').update(crash.input).digest('hex').slice(0, 12);
  const dir = path.join(REGRESSIONS, crash.target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${id}.input`), crash.input);
  const expect: Expectation = { outcome: 'input-error', found: crash.error, todo: `crash found by the fuzzer (${crash.origin.slice(0, 300)})` };
  writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(expect, null, 2) + '\n');
  return path.relative(projectRoot, path.join(dir, `${id}.json`));
}
