/** One call of a capture that did not give its data, in the shape `meta.json` `failures` holds. */
export interface Failure {
  call: string;
  object?: string;
  error: string;
}

/** A failure that ends the capture, with what the user can do about it. */
export class CaptureError extends Error {
  constructor(readonly failure: Failure, readonly hint: string, readonly status?: number) {
    super(`${describeFailure(failure)}${hint ? `\n  hint: ${hint}` : ''}`);
  }
}

export function describeFailure(f: Failure): string {
  return `${f.call}${f.object ? ` ${f.object}` : ''}: ${f.error}`;
}
