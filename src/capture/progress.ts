import type { Ora } from 'ora';

/** What a capture tells the user while it runs. */
export interface Progress {
  step(text: string): void;
  stop(): void;
}

export const silent: Progress = { step() {}, stop() {} };

/** An ora spinner on stderr naming the current step; none when stderr is not a terminal or CI is set. */
export async function spinner(env: Record<string, string | undefined>): Promise<Progress> {
  if (!process.stderr.isTTY || env.CI) return silent;
  const { default: ora } = await import('ora');
  const s: Ora = ora({ stream: process.stderr }).start();
  return {
    step(text) {
      s.text = text;
    },
    stop() {
      s.stop();
    },
  };
}
