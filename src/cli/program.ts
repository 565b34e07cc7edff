import { Command, CommanderError } from 'commander';
import { EXIT, explain } from './exit.ts';
import type { Io } from './io.ts';
import { assertCommand } from './assert.ts';
import { traceCommand } from './trace.ts';
import { captureCommand } from './capture.ts';
import { VERSION } from './version.ts';

/** `kubectl istio-path …` when started as the kubectl plugin, so usage text matches what the user typed. */
export function displayName(argv1: string | undefined): string {
  const base = (argv1 ?? '').split(/[\\/]/).pop() ?? '';
  return base.startsWith('kubectl-istio_path') ? 'kubectl istio-path' : 'istio-path';
}

export function buildProgram(io: Io, name: string): Command {
  const program = new Command(name)
    .description('Trace the real path of a request between two workloads through an Istio data plane, hop by hop, with evidence.')
    .version(VERSION, '--version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.addHelpText('after', `
Exit codes:
  0  a trace was computed (whatever its verdict); assert: every expectation holds
  1  assert: an expectation failed
  2  usage error (unknown workload, ambiguous port, bad flag, invalid expectations file)
  3  the input could not be captured or read

Examples:
  ${name} trace sleep httpbin --snapshot examples/ambient-1.18-sleep-to-sidecar-httpbin
  ${name} trace deploy/sleep httpbin.foo:8000 --snapshot snap.tar.gz -o json
  ${name} assert sleep reviews --via waypoint --hbone --snapshot examples/ambient-1.24-inpod`);
  // One line per command; each module registers its own flags and loads its heavy parts in its action.
  traceCommand(program, io);
  captureCommand(program, io);
  assertCommand(program, io);
  return program;
}

/** Runs the program on argv (without node and script) and returns the exit code; never throws. */
export async function run(args: string[], io: Io, name = 'istio-path'): Promise<number> {
  // commander throws 'commander.help' before any command runs, so whatever reached stderr by then is
  // that help, shown because no command was given: a usage error. (Commander's own exit code for it
  // reads process.exitCode, which an in-process caller such as a test runner may have set.)
  let helpOnStderr = false;
  const program = buildProgram({ ...io, stderr: (t) => ((helpOnStderr = true), io.stderr(t)) }, name);
  try {
    await program.parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      if (err.code === 'commander.help') return helpOnStderr ? EXIT.usage : EXIT.ok;
      return EXIT.usage;
    }
    const { message, code } = explain(err);
    // A command that has already reported (an assert that printed its failures) ends with an empty message.
    if (message) io.stderr(`error: ${message}\n`);
    return code;
  }
}

