import type { LineCtx } from './values.ts';
import { quoteArg } from './values.ts';

/** One option of a rule as written: `! --mark 0x1/0x1` is `{name:'--mark', negate:true, args:['0x1/0x1']}`. */
export interface Opt {
  name: string;
  negate: boolean;
  args: string[];
}

/** The parts of a rule in written order: core options, `-m` modules with their options, the target. */
export type Part =
  | { kind: 'core'; opt: Opt }
  | { kind: 'module'; module: string; opts: Opt[] }
  | { kind: 'target'; name: string; goto: boolean; opts: Opt[] };

const CORE_ALIASES: Record<string, string> = {
  '--source': '-s', '--src': '-s', '--destination': '-d', '--dst': '-d',
  '--in-interface': '-i', '--out-interface': '-o', '--protocol': '-p',
  '--match': '-m', '--jump': '-j', '--goto': '-g', '--fragment': '-f',
};
const CORE_WITH_ARG = new Set(['-s', '-d', '-i', '-o', '-p']);

/** Options that take no argument. */
const FLAGS = new Set([
  '--socket-exists', '--limit-iface-in', '--limit-iface-out', '--transparent', '--nowildcard', '--restore-skmark',
  '--physdev-is-bridged', '--physdev-is-in', '--physdev-is-out', '--save-mark', '--restore-mark', '--notrack',
  '--random', '--random-fully', '--persistent', '--syn', '--log-tcp-sequence', '--log-tcp-options', '--log-ip-options',
  '--log-uid', '--log-macdecode', '--return-nomatch', '--update-counters', '--update-subcounters', '--exact',
]);
/** Options that take two arguments. */
const TWO_ARGS = new Set(['--match-set', '--set', '--tcp-flags']);
/** Options whose single argument may look like an option (a log prefix such as "-x"). */
const ONE_ARG = new Set(['--comment', '--log-prefix', '--nflog-prefix', '--log-level', '--reject-with', '--probability', '--every', '--packet', '--mode']);

/** Options that belong to the protocol's implicit match when written before any `-m`. */
const IMPLICIT_PROTO = new Set(['--dport', '--sport', '--destination-port', '--source-port', '--tcp-flags', '--syn', '--tcp-option', '--icmp-type', '--icmpv6-type']);

/** `!`, or `-` followed by `-` or a letter (a negative number such as `-1` is an argument). */
function isOptionToken(t: string): boolean {
  if (t.charCodeAt(0) !== 45) return t === '!';
  const c = t.charCodeAt(1);
  const lower = c | 0x20;
  return c === 0x2d || (lower >= 0x61 && lower <= 0x7a);
}

/** Groups the arguments from `tokens[start]` (after `-A CHAIN`) into parts. Linear: each token is visited once. */
export function splitParts(tokens: string[], start: number, ctx: LineCtx): Part[] {
  const parts: Part[] = [];
  let open: { opts: Opt[] } | undefined;
  let proto: string | undefined;
  let i = start;
  while (i < tokens.length) {
    let negate = false;
    if (tokens[i] === '!') {
      negate = true;
      i++;
    }
    const raw = tokens[i];
    if (raw === undefined) ctx.fail('expected an option after "!"');
    if (!isOptionToken(raw) || raw === '!') ctx.fail(`expected an option, found "${raw}"`, 'arguments must follow an option such as -s, -m or -j');
    i++;
    const name = Object.hasOwn(CORE_ALIASES, raw) ? CORE_ALIASES[raw] : raw;
    if (name === '-m' || name === '-j' || name === '-g') {
      const arg = tokens[i++];
      if (arg === undefined) ctx.fail(`expected a name after ${raw}`);
      if (negate) ctx.fail(`"!" cannot negate ${raw}`);
      const part: Part = name === '-m' ? { kind: 'module', module: arg, opts: [] } : { kind: 'target', name: arg, goto: name === '-g', opts: [] };
      parts.push(part);
      open = part;
      continue;
    }
    if (name === '-c') {
      i += 2; // restore-style counters; iptables-save prints them as a [p:b] prefix instead
      continue;
    }
    if (name === '-f') {
      parts.push({ kind: 'core', opt: { name, negate, args: [] } });
      continue;
    }
    if (CORE_WITH_ARG.has(name)) {
      const arg = tokens[i++];
      if (arg === undefined) ctx.fail(`expected a value after ${raw}`);
      if (name === '-p') proto = arg;
      parts.push({ kind: 'core', opt: { name, negate, args: [arg] } });
      continue;
    }
    if (!name.startsWith('--')) ctx.fail(`expected a known option, found "${raw}"`);
    const args: string[] = [];
    const arity = FLAGS.has(name) ? 0 : TWO_ARGS.has(name) ? 2 : ONE_ARG.has(name) ? 1 : -1;
    if (arity >= 0) {
      for (let k = 0; k < arity; k++) {
        const a = tokens[i++];
        if (a === undefined) ctx.fail(`expected ${arity} argument(s) after ${name}`);
        args.push(a);
      }
    } else {
      while (i < tokens.length && !isOptionToken(tokens[i])) args.push(tokens[i++]);
    }
    const opt: Opt = { name, negate, args };
    if (!open && IMPLICIT_PROTO.has(name) && proto !== undefined) {
      const part: Part = { kind: 'module', module: proto, opts: [] };
      parts.push(part);
      open = part;
    }
    if (!open) ctx.fail(`expected ${name} after the -m module or -j target it belongs to`);
    open.opts.push(opt);
  }
  return parts;
}

export function optText(opt: Opt): string {
  return [...(opt.negate ? ['!'] : []), opt.name, ...opt.args.map(quoteArg)].join(' ');
}
