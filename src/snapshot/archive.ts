import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { InputError } from '../model/evidence.ts';
import { memorySource } from '../parse/byte-source.ts';
import type { SnapshotSource } from './source.ts';

/** Decompressed bytes an archive may hold before reading stops: a compression bomb must not fill memory. */
export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

const CORRUPT_HINT = 'the archive is truncated or is not a gzip-compressed tar; capture it again or check the download';

/** Reads a `.tar.gz` snapshot into memory, refusing any entry that could point outside the snapshot. */
export async function readArchive(archive: string, maxBytes = DEFAULT_MAX_BYTES): Promise<SnapshotSource> {
  const entries = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = pipeline(createReadStream(archive), createGunzip(), byteCap(archive, maxBytes), extract);
  // The iterator below sees the same failure; this keeps the promise from being reported as unhandled.
  done.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const name = entryPath(entry.header, archive);
      const data = await collect(entry);
      if (name !== undefined) entries.set(name, data);
    }
    await done;
  } catch (err) {
    throw err instanceof InputError ? err : new InputError(archive, {}, `cannot read the archive: ${(err as Error).message}`, CORRUPT_HINT);
  }
  return { files: new Map([...stripSingleFolder(entries)].map(([name, data]) => [name, Object.assign(() => data.toString('utf8'), { bytes: () => memorySource(data) })])), findings: [] };
}

/** Passes bytes through until more than `max` have gone by. */
function byteCap(archive: string, max: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > max) {
        callback(new InputError(archive, {}, `the archive decompresses to more than ${max} bytes; refusing to read further`, 'a snapshot is a few megabytes per node; this archive may be a compression bomb, or pass a larger limit'));
      } else callback(null, chunk);
    },
  });
}

/** The snapshot-relative path of a regular file entry, undefined for a directory; anything else is refused. */
function entryPath(header: tar.Header, archive: string): string | undefined {
  const refuse = (why: string) => new InputError(archive, {}, `refusing archive entry "${header.name}": ${why}`, 'a snapshot archive holds only regular files and folders under one root');
  if (header.name.startsWith('/') || /^[A-Za-z]:/.test(header.name)) throw refuse('absolute path');
  const segments = header.name.split('/').filter((s: string) => s !== '' && s !== '.');
  if (segments.includes('..')) throw refuse('path leaves the snapshot (..)');
  // tar-stream reports a type flag it does not know as null, despite its typings.
  const type: string | null = header.type;
  if (type === 'directory') return undefined;
  if (type !== 'file' && type !== 'contiguous-file') throw refuse(`${type ?? 'unknown type'} entries are not allowed`);
  return segments.join('/');
}

async function collect(entry: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `tar czf snap.tar.gz snap/` puts everything under `snap/`; such an archive reads as if it were not there. */
function stripSingleFolder(entries: Map<string, Buffer>): Map<string, Buffer> {
  if (entries.has('meta.json')) return entries;
  const tops = new Set([...entries.keys()].map((name) => name.split('/')[0]));
  const [top] = tops;
  if (tops.size !== 1 || !entries.has(`${top}/meta.json`)) return entries;
  return new Map([...entries].map(([name, data]) => [name.slice(top.length + 1), data]));
}
