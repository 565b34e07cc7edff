/**
 * Random access to the bytes of one file. A parser of a large file gets one instead of the whole file
 * in memory, and reads a part again when it needs it; where the bytes live (disk, an archive read into
 * memory) is the snapshot reader's business, so parsers still do no I/O of their own.
 */
export interface ByteSource {
  /** The file's length in bytes. */
  readonly size: number;
  /**
   * The bytes `[start, end)` of the file (`0 <= start <= end <= size`). A source may put them in `into`
   * when that is long enough, or return a view of bytes it holds: either way the result is only valid
   * until the next read. A caller reading a file part by part passes the same buffer each time, so
   * the reads allocate nothing and leave nothing for the collector.
   */
  read(start: number, end: number, into?: Uint8Array): Uint8Array;
}

/** A source over bytes already in memory: a read is a view of them, not a copy. */
export function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (start, end) => bytes.subarray(start, end) };
}
