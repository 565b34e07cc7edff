import { execa } from 'execa';
import type { NetnsFile } from '../../snapshot/layout.ts';
import { callOf, keptOutput, NETNS_COLLECTION, type Collected, type Collection } from '../collect.ts';

/**
 * Where the collection commands run when istio-path runs on the node itself: the host's own
 * network namespace, a named one (`ip netns exec`), or the one of a process (`nsenter -t PID -n`,
 * which is how a container's netns is reached from its pid).
 */
export type LocalTarget =
  | { kind: 'host' }
  | { kind: 'netns'; name: string }
  | { kind: 'pid'; pid: number };

/** The argv prefix that runs a command inside the target netns. */
export function enterCommand(target: LocalTarget): string[] {
  switch (target.kind) {
    case 'host': return [];
    case 'netns': return ['ip', 'netns', 'exec', target.name];
    case 'pid': return ['nsenter', '-t', String(target.pid), '-n'];
  }
}

export function describeTarget(target: LocalTarget): string {
  switch (target.kind) {
    case 'host': return 'host network namespace';
    case 'netns': return `netns ${target.name}`;
    case 'pid': return `netns of pid ${target.pid}`;
  }
}

/** Outputs are whole rule sets; a large node's iptables-save runs to tens of megabytes. */
const MAX_BUFFER = 256 << 20;

/**
 * Runs the collection plan in one netns and returns its files keyed by snapshot-relative path
 * under `dir` (e.g. `nodes/node-a`), ready for `writeSnapshot`. A command that fails leaves its
 * file out and is reported as a failure; the others still run.
 */
export async function collectLocal(target: LocalTarget, dir: string, plan: readonly Collection[] = NETNS_COLLECTION): Promise<{ files: Map<string, string>; failures: Collected['failures'] }> {
  const prefix = enterCommand(target);
  const object = `${dir} (${describeTarget(target)})`;
  const files = new Map<string, string>();
  const failures: Collected['failures'] = [];
  // one command at a time, so a busy node is never asked for nine netlink dumps at once
  for (const c of plan) {
    const [cmd, ...args] = [...prefix, ...c.command];
    const r = await execa(cmd, args, { reject: false, stripFinalNewline: false, maxBuffer: MAX_BUFFER, stdin: 'ignore' });
    if (r.failed) {
      failures.push({ call: callOf(c), object, error: String(r.stderr ?? '').trim() || r.shortMessage || `exit code ${r.exitCode}` });
      continue;
    }
    const kept = keptOutput(c, r.stdout);
    if (kept !== undefined) files.set(`${dir}/${c.file satisfies NetnsFile}`, kept);
  }
  return { files, failures };
}
