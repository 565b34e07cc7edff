import { Command, InvalidArgumentError, Option } from 'commander';
import { VIA_COMPONENTS } from '../model/assertion.ts';
import { kubeFlags, nodeAccessFlags, type CaptureFlags } from '../capture/kube-flags.ts';
import type { Io } from './io.ts';

export const ASSERT_OUTPUTS = ['text', 'json'] as const;

export interface AssertFlags extends CaptureFlags {
  filename?: string;
  snapshot?: string;
  /** Live asserts only: where the captured snapshot is kept. */
  saveSnapshot?: string;
  /** Without -n: `default`, or when capturing, the kubeconfig context's namespace. */
  namespace?: string;
  port?: string;
  reachable?: true;
  unreachable?: true;
  via?: string[];
  notVia?: string[];
  hbone?: true;
  /** `--no-findings` sets it to false. */
  findings: boolean;
  allowFinding?: string[];
  strict?: true;
  soft?: true;
  junit?: string;
  output: (typeof ASSERT_OUTPUTS)[number];
}

/** The flags that state one pair's expectations; with `-f` the file states them instead. */
export const PAIR_FLAGS: { key: keyof AssertFlags; flag: string }[] = [
  { key: 'namespace', flag: '-n' },
  { key: 'port', flag: '--port' },
  { key: 'reachable', flag: '--reachable' },
  { key: 'unreachable', flag: '--unreachable' },
  { key: 'via', flag: '--via' },
  { key: 'notVia', flag: '--not-via' },
  { key: 'hbone', flag: '--hbone' },
  { key: 'findings', flag: '--no-findings' },
  { key: 'allowFinding', flag: '--allow-finding' },
];

function component(value: string, previous: string[] | undefined): string[] {
  if (!(VIA_COMPONENTS as readonly string[]).includes(value)) throw new InvalidArgumentError(`Allowed choices are ${VIA_COMPONENTS.join(', ')}.`);
  return [...(previous ?? []), value];
}

function findingCode(value: string, previous: string[] | undefined): string[] {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(value)) throw new InvalidArgumentError('A finding code is kebab-case, e.g. waypoint-bypassed.');
  return [...(previous ?? []), value];
}

export function assertCommand(program: Command, io: Io): void {
  const command = program
    .command('assert')
    .description('check expectations about the path from <source> to <destination>, or about every pair of an expectations file (-f)')
    .argument('[source]', 'as for trace')
    .argument('[destination]', 'as for trace')
    .option('-f, --filename <file>', 'expectations file (YAML) with many pairs; see the README, "CI assertions"')
    .option('--snapshot <path>', 'snapshot directory or .tar.gz, read once for every expectation (without it: capture from the cluster)')
    .option('-n, --namespace <namespace>', 'namespace of names without one (default: the kubeconfig context\'s when capturing, else default)')
    .option('--port <port>', 'destination port (number or name)')
    .option('--reachable', 'the connection is delivered (the default when nothing else is expected)')
    .option('--unreachable', 'the connection is dropped or finds no route')
    .option('--via <component>', `some leg ends at or starts from this component (${VIA_COMPONENTS.join(', ')}); repeatable`, component)
    .option('--not-via <component>', 'no leg ends at or starts from this component; repeatable', component)
    .option('--hbone', 'some leg is HBONE')
    .option('--no-findings', 'the trace has no finding (see --allow-finding)')
    .option('--allow-finding <code>', 'a finding code that does not fail the expectation (implies --no-findings for the others); repeatable', findingCode)
    .option('--strict', 'an expectation that rests on an inferred hop fails')
    .option('--soft', 'report failures but exit 0')
    .option('--junit <file>', 'also write a JUnit XML report (one testcase per expectation)')
    .option('--save-snapshot <dir|file.tar.gz>', 'without --snapshot: keep what was captured from the cluster')
    .addOption(new Option('-o, --output <format>', 'output format').choices(ASSERT_OUTPUTS).default('text'))
    .addHelpText('after', `
An expectation is one check of one pair; with none given, the pair is expected to be reachable.
--via X holds when a leg ends at X (X accepted the leg's connection) or starts from X (X opened it).

Without --snapshot, assert captures from the cluster the kubectl flags name: one capture for every
pair (all of -f's), reading with selectors only what they need, then every expectation is checked
against that one snapshot. For example:
  istio-path assert -f expectations.yaml --context prod --junit report.xml --save-snapshot paths.tar.gz

Exit codes:
  0  every expectation holds (or --soft)
  1  an expectation failed
  2  usage error (bad flag, invalid expectations file, unknown workload)
  3  the snapshot could not be read, or the cluster could not be captured`)
    .action(async (source: string | undefined, destination: string | undefined, flags: AssertFlags, cmd: Command) => {
      // Loaded here so that `--help` does not pay for the parsers and the engine.
      const { runAssert } = await import('./assert-run.ts');
      const given = (key: keyof AssertFlags) => cmd.getOptionValueSource(key) === 'cli';
      await runAssert({ source, destination, flags, given }, io);
    });
  // Without --snapshot, assert captures from the cluster these flags name; -n is assert's own.
  nodeAccessFlags(kubeFlags(command, { namespace: false }));
}
