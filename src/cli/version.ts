import { readFileSync } from 'node:fs';

/** Replaced at bundle time; the source build reads package.json's version through the same constant. */
declare const __IPATH_VERSION__: string | undefined;
export const VERSION: string = typeof __IPATH_VERSION__ === 'string' ? __IPATH_VERSION__ : sourceVersion();

/** package.json's version, read next to the sources (src/cli/ → the project root). */
function sourceVersion(): string {
  try {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : '0.0.0-dev';
  } catch {
    return '0.0.0-dev';
  }
}
