import { Command, Option } from 'commander';
import type { Io } from './io.ts';

export const OUTPUTS = ['text', 'wide', 'json', 'yaml'] as const;
export type Output = (typeof OUTPUTS)[number];

export interface TraceFlags {
  snapshot?: string;
  namespace?: string;
  port?: string;
  output: Output;
}

export function traceCommand(program: Command, io: Io): void {
  program
    .command('trace')
    .description('trace the path of one connection from <source> to <destination>')
    .argument('<source>', 'pod name, deploy/NAME (sts/, ds/), app name, NAME.NAMESPACE or NAMESPACE/NAME')
    .argument('<destination>', 'a Service (preferred), a pod or workload like the source, or an IP; NAME:PORT for the port')
    .option('--snapshot <path>', 'snapshot directory or .tar.gz to trace (see DESIGN.md for the layout)')
    .option('-n, --namespace <namespace>', 'namespace of names without one', 'default')
    .option('--port <port>', 'destination port (number or name)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUTS).default('text'))
    .action(async (source: string, destination: string, flags: TraceFlags) => {
      // Loaded here so that `--version` and `--help` do not pay for the parsers and the engine.
      const { runTrace } = await import('./trace-run.ts');
      await runTrace(source, destination, flags, io);
    });
}

