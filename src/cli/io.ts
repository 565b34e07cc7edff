/** Where a command writes, so tests can run the whole program in-process and read its output. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colours only for a terminal, and never when NO_COLOR is set. */
  color: boolean;
  env: Record<string, string | undefined>;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    color: !!process.stdout.isTTY && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
    env: process.env,
  };
}
