import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Why kernel-backed tests cannot run here, or undefined when they can (root, `ip netns`, the tools). */
export function kernelUnavailable(tools: string[] = ['ip', 'iptables-save', 'iptables-restore']): string | undefined {
  if (process.getuid?.() !== 0) return 'skipped: kernel tests need root to create network namespaces';
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `skipped: ${tool} is not installed (apt-get install iptables nftables ipset iproute2)`;
  }
  return undefined;
}

/** A throw-away network namespace with a unique name; `run` executes a command inside it. */
export class TempNetns {
  readonly name = `ipath-${randomBytes(4).toString('hex')}`;
  constructor() {
    execFileSync('ip', ['netns', 'add', this.name]);
  }
  run(cmd: string, args: string[], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', this.name, cmd, ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  }
  dispose(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}
