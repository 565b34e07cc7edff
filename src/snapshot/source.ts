import type { Finding } from '../model/evidence.ts';
import type { ByteSource } from '../parse/byte-source.ts';

/**
 * The regular files of a snapshot by snapshot-relative path (`nodes/node-a/ip-route.json`), each read
 * and decoded as UTF-8 only when asked for, whether it sits in memory (archive) or on disk (directory).
 */
export interface SnapshotSource {
  files: Map<string, FileLoader>;
  /** Entries skipped while listing, and why. */
  findings: Finding[];
}

/** A file's text; and its bytes, for a reader that reads parts of a large file instead of a string of all of it. */
export interface FileLoader {
  (): string;
  bytes?: () => ByteSource;
}
