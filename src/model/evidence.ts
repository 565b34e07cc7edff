/** Where a fact came from: a line of a text file, or a JSON pointer into a JSON file. */
export interface Evidence {
  /** Path relative to the snapshot root, e.g. `nodes/node-a/iptables-save.txt`. */
  file: string;
  /** 1-based line number, for text inputs. */
  line?: number;
  /** RFC 6901 pointer, for JSON inputs. */
  pointer?: string;
  /** The line (or a short rendering of the JSON value) that decided. */
  text?: string;
  /** Set when the file that would prove a fact is absent from the snapshot. */
  missing?: true;
}

/** A parse error the user can act on: which file, where, what was expected. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly where: { line?: number; pointer?: string },
    readonly expected: string,
    readonly hint?: string,
  ) {
    const at = where.line !== undefined ? `:${where.line}` : where.pointer !== undefined ? `#${where.pointer}` : '';
    super(`${file}${at}: ${expected}${hint ? ` (hint: ${hint})` : ''}`);
    this.name = 'InputError';
  }
}

export type Severity = 'info' | 'warning' | 'error';

/** Something a reader must know beyond the hops (stable kebab-case `code`). */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  hops: number[];
  evidence: Evidence[];
  fix?: string;
}

/**
 * Codes of the findings that hold the path against the mesh's intent (docs/findings.md): they explain
 * why the path is what it is, so text output shows them under WHY rather than WARNINGS.
 */
export const INTENT_FINDING_CODES: readonly string[] = [
  'waypoint-bypassed',
  'capture-missing',
  'capture-dead-end',
  'capture-excluded',
  'plaintext-between-meshed',
  'mixed-backends',
  'double-capture',
  'unexpected-path',
  'reply-misrouted',
];
