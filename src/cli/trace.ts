import { Command, InvalidArgumentError, Option } from 'commander';
import type { Io } from './io.ts';
import { kubeFlags, nodeAccessFlags, type CaptureFlags } from '../capture/kube-flags.ts';

export const OUTPUTS = ['text', 'wide', 'json', 'yaml', 'mermaid', 'dot', 'html'] as const;
export type Output = (typeof OUTPUTS)[number];

export interface TraceFlags extends CaptureFlags {
  snapshot?: string;
  /** Live traces only: where the captured snapshot is kept. */
  saveSnapshot?: string;
  /** False when -n was not given, so a live trace uses the kubeconfig context's namespace. */
  namespaceGiven?: boolean;
  namespace?: string;
  port?: string;
  output: Output;
  interactive?: boolean;
  /** Most bytes a .tar.gz snapshot may decompress to. */
  maxSnapshotBytes?: number;
}

export function traceCommand(program: Command, io: Io): void {
  const trace = program
    .command('trace')
    .description('trace the path of one connection from <source> to <destination>')
    .argument('<source>', 'pod name, deploy/NAME (sts/, ds/), app name, NAME.NAMESPACE or NAMESPACE/NAME')
    .argument('<destination>', 'a Service (preferred), a pod or workload like the source, or an IP; NAME:PORT for the port')
    .option('--snapshot <path>', 'snapshot directory or .tar.gz to trace (layout: README, Snapshots)')
    .option('-n, --namespace <namespace>', 'namespace of names without one', 'default')
    .option('--port <port>', 'destination port (number or name)')
    .option('--max-snapshot-bytes <bytes>', 'refuse a .tar.gz snapshot that decompresses to more (e.g. 512MiB; default 2GiB)', byteCount)
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUTS).default('text'))
    .option('--save-snapshot <dir|file.tar.gz>', 'without --snapshot: keep what was captured from the cluster')
    .option('-i, --interactive', 'explore the trace in the terminal (hops, packets, evidence, alternatives); prints -o when stdout is not a terminal')
    .action(async (source: string, destination: string, flags: TraceFlags, command: Command) => {
      // Loaded here so that `--version` and `--help` do not pay for the parsers and the engine.
      const { runTrace } = await import('./trace-run.ts');
      await runTrace(source, destination, { ...flags, namespaceGiven: command.getOptionValueSource('namespace') === 'cli' }, io);
    });
  // Without --snapshot, trace captures from the cluster these flags name.
  nodeAccessFlags(kubeFlags(trace, { namespace: false }));
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `1048576`, `512MiB`, `2G`: binary units, as the default cap is stated. */
function byteCount(value: string): number {
  const m = /^(\d+)\s*(?:([kmg])(?:i?b)?)?$/i.exec(value.trim());
  const bytes = m ? Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()] : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new InvalidArgumentError('Expected a positive number of bytes, e.g. 1048576, 512MiB or 2GiB.');
  return bytes;
}
