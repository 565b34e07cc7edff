import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project root (this file is `test/support/corpus.ts`). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `../shared/corpus/istio` beside the project, or undefined when it is absent. */
export function corpusDir(): string | undefined {
  const dir = path.resolve(projectRoot, '../shared/corpus/istio');
  return existsSync(dir) ? dir : undefined;
}

export const CORPUS_ABSENT = 'skipped: ../shared/corpus/istio is absent (the Istio real-data corpus lives beside the project)';
