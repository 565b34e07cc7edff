import { Command } from 'commander';
import { kubeFlags, nodeAccessFlags, type CaptureFlags } from '../capture/kube-flags.ts';
import { CliError, EXIT } from './exit.ts';
import type { Io } from './io.ts';

interface CaptureCommandFlags extends CaptureFlags {
  output: string;
  port?: string;
}

export function captureCommand(program: Command, io: Io): void {
  const capture = program
    .command('capture')
    .description('capture from the cluster what tracing <source> → <destination> needs, as a snapshot (for bug reports and CI artifacts)')
    .argument('<source>', 'the source, as trace takes it')
    .argument('<destination>', 'the destination, as trace takes it')
    .requiredOption('-o, --output <dir|file.tar.gz>', 'where to write the snapshot')
    .option('--port <port>', 'destination port (number or name)')
    .action(async (source: string, destination: string, flags: CaptureCommandFlags) => {
      // The Kubernetes client and the snapshot writer load only when a capture runs.
      const { captureLive, LiveCaptureError } = await import('../capture/live.ts');
      const { writeSnapshot } = await import('../snapshot/write.ts');
      try {
        const captured = await captureLive({ pairs: [{ source, destination, port: flags.port }], namespace: flags.namespace, flags, env: io.env, stderr: io.stderr });
        await writeSnapshot(flags.output, captured.files);
        const failed = captured.meta.failures?.length ?? 0;
        io.stderr(`captured ${captured.meta.capture?.pair?.join(' → ')} into ${flags.output} (${captured.files.size} files, ${captured.api.calls.length} API calls${failed ? `, ${failed} failed reads` : ''})\n`);
      } catch (err) {
        throw err instanceof LiveCaptureError ? new CliError(err.message, EXIT.input) : err;
      }
    });
  nodeAccessFlags(kubeFlags(capture, { namespace: true }));
}
