/** The error a call throws, as the fields a reader of it sees; 'no error' when it returns. */
export function failure(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    const e = err as { name: string; file?: string; where?: unknown; message: string };
    return { name: e.name, file: e.file, where: e.where, message: e.message };
  }
  return 'no error';
}
