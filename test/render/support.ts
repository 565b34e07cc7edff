import path from 'node:path';
import { ROOT } from '../cli/support.ts';
import { expectGoldenFile } from '../support/golden.ts';

export const RENDER_GOLDEN_DIR = path.join(ROOT, 'test/render/golden');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** Compares `actual` with test/render/golden/<name>, the whole text; UPDATE_GOLDEN=1 (re)writes it instead. */
export function expectRenderGolden(name: string, actual: string): Promise<void> {
  return expectGoldenFile(RENDER_GOLDEN_DIR, name, actual, 'test/render/*.test.ts');
}

/** Hop numbers an edge label stands for: `3`, `1–5`, `4, 6–7`, `SYN-ACK 20–22`. */
export function labelHops(label: string): number[] {
  if (!label) return [];
  // a handshake packet's arrows name it first: `SYN-ACK 20–22`
  return label.replace(/^(SYN-ACK|ACK) /, '').split(', ').flatMap((part) => {
    const [a, b] = part.split('–').map(Number);
    return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
  });
}
