import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { InputError } from '../model/evidence.ts';
import { isArchivePath } from './layout.ts';

/**
 * Writes snapshot files (snapshot-relative path → content) as a directory, or as a `.tar.gz` when
 * `target` ends so. Paths are written in sorted order so two captures of the same data compare equal.
 */
export async function writeSnapshot(target: string, files: Map<string, string | Buffer>): Promise<void> {
  const names = [...files.keys()].sort();
  names.forEach((name) => checkPath(name, target));
  if (isArchivePath(target)) await writeArchive(target, names, files);
  else await writeDirectory(target, names, files);
}

/** The same rule the reader enforces: relative paths that stay inside the snapshot. */
function checkPath(name: string, target: string): void {
  if (name === '' || name.startsWith('/') || name.split('/').some((s) => s === '..' || s === '.' || s === '')) {
    throw new InputError(target, {}, `cannot write snapshot file "${name}": expected a relative path inside the snapshot`);
  }
}

async function writeDirectory(dir: string, names: string[], files: Map<string, string | Buffer>): Promise<void> {
  for (const name of names) {
    const file = path.join(dir, ...name.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, files.get(name)!);
  }
}

async function writeArchive(archive: string, names: string[], files: Map<string, string | Buffer>): Promise<void> {
  await mkdir(path.dirname(archive), { recursive: true });
  const pack = tar.pack();
  const done = pipeline(pack, createGzip(), createWriteStream(archive));
  for (const name of names) {
    const content = files.get(name)!;
    pack.entry({ name, type: 'file', mode: 0o644 }, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  }
  pack.finalize();
  await done;
}
