import { createElement } from 'react';
import { render } from 'ink';
import type { Trace } from '../../model/index.ts';
import { Explorer } from './app.tsx';

/** Runs the explorer on the terminal until the user quits. */
export async function explore(trace: Trace): Promise<void> {
  const app = render(createElement(Explorer, { trace }));
  await app.waitUntilExit();
}
