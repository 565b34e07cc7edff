import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../model/evidence.ts';
import { InputError } from '../model/evidence.ts';
import type { ByteSource } from '../parse/byte-source.ts';
import { LAYOUT_DEPTH } from './layout.ts';
import type { SnapshotSource } from './source.ts';

/**
 * Lists a snapshot directory without reading its files. A symlink is followed only while it stays
 * inside the snapshot, so a snapshot from elsewhere cannot make the tool read arbitrary files.
 */
export async function readDirectory(dir: string): Promise<SnapshotSource> {
  const root = await realpath(dir);
  const source: SnapshotSource = { files: new Map(), findings: [] };
  await walk(root, root, '', 0, source);
  return source;
}

async function walk(root: string, abs: string, rel: string, depth: number, source: SnapshotSource): Promise<void> {
  const entries = await readdir(abs, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(rel || abs, {}, `cannot list the folder (${err.code ?? err.message})`, 'the snapshot directory is not readable by this user');
  });
  for (const entry of entries) {
    const entryRel = rel ? `${rel}/${entry.name}` : entry.name;
    const target = entry.isSymbolicLink() ? await insideTarget(root, path.join(abs, entry.name), entryRel, source.findings) : path.join(abs, entry.name);
    if (target === undefined) continue;
    const info = await stat(target);
    if (info.isDirectory()) {
      if (depth < LAYOUT_DEPTH) await walk(root, target, entryRel, depth + 1, source);
    } else if (info.isFile() && info.nlink > 1) {
      // Its other names are invisible from here and may lie outside the snapshot (a planted link to a private file).
      source.findings.push(skipped(entryRel, `is a hard link (${info.nlink} names); a snapshot's files have one`));
    } else if (info.isFile()) {
      source.files.set(entryRel, Object.assign(() => readFile(target, entryRel), { bytes: () => fileBytes(target, entryRel, info.size) }));
    } else {
      source.findings.push(skipped(entryRel, 'is not a regular file (a device, FIFO or socket)'));
    }
  }
}

/** The real path of a symlink when it stays inside the snapshot; otherwise a finding and undefined. */
async function insideTarget(root: string, link: string, rel: string, findings: Finding[]): Promise<string | undefined> {
  let target: string;
  try {
    target = await realpath(link);
  } catch (err) {
    findings.push(skipped(rel, `is a symlink that cannot be resolved (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`));
    return undefined;
  }
  if (target === root || target.startsWith(root + path.sep)) return target;
  findings.push(skipped(rel, `is a symlink to ${target}, outside the snapshot`));
  return undefined;
}

function skipped(rel: string, why: string): Finding {
  return {
    code: 'snapshot-entry-skipped',
    severity: 'warning',
    message: `${rel} ${why}; it was not read`,
    hops: [],
    evidence: [{ file: rel, missing: true }],
  };
}

const CHANGED_HINT = 'the snapshot directory changed or is not readable by this user';

function readFile(abs: string, rel: string): string {
  try {
    return readFileSync(abs, 'utf8');
  } catch (err) {
    throw unreadable(rel, err);
  }
}

/**
 * The file's bytes, read from disk for each request, so none stay in memory between reads. It is opened
 * for each read, too: a process that reads many snapshots holds no descriptors for their files.
 */
function fileBytes(abs: string, rel: string, size: number): ByteSource {
  return {
    size,
    read(start, end, into) {
      const bytes = into && into.length >= end - start ? into.subarray(0, end - start) : new Uint8Array(end - start);
      let got = 0;
      try {
        const fd = openSync(abs, 'r');
        try {
          while (got < bytes.length) {
            const k = readSync(fd, bytes, got, bytes.length - got, start + got);
            if (k === 0) break;
            got += k;
          }
        } finally {
          closeSync(fd);
        }
      } catch (err) {
        throw unreadable(rel, err);
      }
      if (got < bytes.length) throw new InputError(rel, {}, `cannot read the file (it is shorter than the ${size} bytes it had when the snapshot was listed)`, CHANGED_HINT);
      return bytes;
    },
  };
}

function unreadable(rel: string, err: unknown): InputError {
  return new InputError(rel, {}, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, CHANGED_HINT);
}
