import type { NetnsFile } from '../snapshot/layout.ts';

/**
 * What one network namespace's snapshot folder is made of: which command prints which file. Every
 * node-access strategy runs this same plan (locally, through `ip netns exec`/nsenter, or as the shell
 * script `collectionScript` renders for a debug pod or ssh), so all of them capture the same files.
 */
export interface Collection {
  file: NetnsFile;
  command: readonly string[];
  /** An empty `iptables-save` still says "no rules here"; an empty `ipset save` says nothing worth a file. */
  keepEmpty: boolean;
}

export const NETNS_COLLECTION: readonly Collection[] = [
  { file: 'iptables-save.txt', command: ['iptables-save', '-c'], keepEmpty: true },
  { file: 'ip6tables-save.txt', command: ['ip6tables-save', '-c'], keepEmpty: false },
  { file: 'nft.json', command: ['nft', '-j', 'list', 'ruleset'], keepEmpty: false },
  { file: 'ipset.txt', command: ['ipset', 'save'], keepEmpty: false },
  { file: 'ip-addr.json', command: ['ip', '-j', 'addr'], keepEmpty: true },
  { file: 'ip-link.json', command: ['ip', '-d', '-j', 'link'], keepEmpty: true },
  { file: 'ip-rule.json', command: ['ip', '-j', 'rule'], keepEmpty: true },
  { file: 'ip-route.json', command: ['ip', '-j', 'route', 'show', 'table', 'all'], keepEmpty: true },
  { file: 'sockets.txt', command: ['ss', '-Htlnpe'], keepEmpty: true },
];

/** One command of the plan that did not produce its file, in the shape `meta.json` `failures` holds. */
export interface CollectionFailure {
  call: string;
  object?: string;
  error: string;
}

export interface Collected {
  files: Map<NetnsFile, string>;
  failures: CollectionFailure[];
}

/** Applies `keepEmpty` to one command's output: the file to write, or nothing. */
export function keptOutput(c: Collection, stdout: string): string | undefined {
  return stdout.trim() === '' && !c.keepEmpty ? undefined : stdout;
}

/** `iptables-save -c` as a failure names it. */
export function callOf(c: Collection): string {
  return `exec ${c.command.join(' ')}`;
}

const MARK = '@@istio-path';

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The plan as a POSIX shell script for strategies that can only run one command on the node. Each
 * file's output sits between `@@istio-path begin <file>` and `@@istio-path end <file> <exit code>`
 * lines (a newline is added before the end line so output without a final newline stays intact);
 * a failed command's stderr follows as `@@istio-path stderr <file> <line>`. `parseCollectionOutput`
 * reads it back.
 */
export function collectionScript(plan: readonly Collection[] = NETNS_COLLECTION): string {
  return [
    '#!/bin/sh',
    '# istio-path: dump this network namespace into the snapshot layout (see collect.ts)',
    'err=$(mktemp) || exit 1',
    'emit() {',
    '  f=$1; shift',
    `  echo "${MARK} begin $f"`,
    '  "$@" 2>"$err"; rc=$?',
    `  printf '\\n${MARK} end %s %s\\n' "$f" "$rc"`,
    `  [ "$rc" -eq 0 ] || sed "s|^|${MARK} stderr $f |" "$err"`,
    '}',
    ...plan.map((c) => `emit ${c.file} ${c.command.map(shellQuote).join(' ')}`),
    'rm -f "$err"',
    '',
  ].join('\n');
}

/** Reads what `collectionScript` printed back into files and failures; `object` names the netns in failures. */
export function parseCollectionOutput(text: string, object?: string, plan: readonly Collection[] = NETNS_COLLECTION): Collected {
  const files = new Map<NetnsFile, string>();
  const failures: CollectionFailure[] = [];
  const lines = text.split('\n');
  let i = 0;
  const byFile = new Map(plan.map((c) => [c.file as string, c]));
  const seen = new Set<string>();
  while (i < lines.length) {
    const begin = new RegExp(`^${MARK} begin (\\S+)$`).exec(lines[i++]);
    if (!begin) continue;
    const c = byFile.get(begin[1]);
    const endRe = new RegExp(`^${MARK} end ${begin[1].replaceAll('.', '\\.')} (\\d+)$`);
    const start = i;
    while (i < lines.length && !endRe.test(lines[i])) i++;
    if (!c) continue;
    seen.add(c.file);
    if (i >= lines.length) {
      failures.push({ call: callOf(c), ...(object ? { object } : {}), error: 'output ended before the command finished' });
      break;
    }
    const rc = Number(endRe.exec(lines[i])![1]);
    // joining the lines back drops exactly the newline the script added before the end line
    const body = lines.slice(start, i).join('\n');
    i++;
    const stderr: string[] = [];
    const errPrefix = `${MARK} stderr ${c.file} `;
    while (i < lines.length && lines[i].startsWith(errPrefix)) stderr.push(lines[i++].slice(errPrefix.length));
    if (rc !== 0) {
      failures.push({ call: callOf(c), ...(object ? { object } : {}), error: stderr.join('\n').trim() || `exit code ${rc}` });
      continue;
    }
    const kept = keptOutput(c, body);
    if (kept !== undefined) files.set(c.file, kept);
  }
  for (const c of plan) {
    if (!seen.has(c.file)) failures.push({ call: callOf(c), ...(object ? { object } : {}), error: 'not in the collection output' });
  }
  return { files, failures };
}
