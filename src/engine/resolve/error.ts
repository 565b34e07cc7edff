/** A `<source>` or `<destination>` argument that names nothing usable; the message is what the user reads. */
export class ResolveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResolveError';
  }
}
