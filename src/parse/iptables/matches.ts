import type { AddrType, CtState, Match } from '../../model/netfilter.ts';
import type { Opt } from './options.ts';
import { optText } from './options.ts';
import type { LineCtx } from './values.ts';
import { cidr, idRange, masked, portRange, u32 } from './values.ts';

const PROTO_NUMBERS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '132': 'sctp' };
const PROTO_ALIASES: Record<string, string> = { icmpv6: 'ipv6-icmp' };

/** `-s -d -i -o -p` (and `-f`, which the model has no field for). */
export function coreMatch(opt: Opt, ctx: LineCtx, family: 4 | 6): Match {
  const negate = opt.negate ? { negate: true } : {};
  const arg = opt.args[0];
  switch (opt.name) {
    case '-s':
    case '-d':
      return { ...negate, kind: opt.name === '-s' ? 'saddr' : 'daddr', cidrs: arg.split(',').map((c) => cidr(c, ctx, family)) };
    case '-i':
    case '-o':
      return { ...negate, kind: opt.name === '-i' ? 'iif' : 'oif', names: [arg] };
    case '-p': {
      const p = arg.toLowerCase();
      return { ...negate, kind: 'proto', protos: [own(PROTO_NUMBERS, p) ?? own(PROTO_ALIASES, p) ?? p] };
    }
    default:
      return { kind: 'unsupported', text: optText(opt) };
  }
}

type Handler = (opt: Opt, ctx: LineCtx) => Match | undefined;

const ports = (kind: 'sport' | 'dport', sep: ':' | '-'): Handler => (opt, ctx) => ({
  ...neg(opt),
  kind,
  ranges: one(opt, ctx).split(',').map((p) => portRange(p, sep, ctx)),
});

const tcpudp: Record<string, Handler> = {
  '--dport': ports('dport', ':'),
  '--destination-port': ports('dport', ':'),
  '--sport': ports('sport', ':'),
  '--source-port': ports('sport', ':'),
};

const markMatch = (kind: 'mark' | 'connmark'): Record<string, Handler> => ({
  '--mark': (opt, ctx) => ({ ...neg(opt), kind, masked: masked(one(opt, ctx), ctx, 'mark') }),
});

const CT_STATES = new Set<string>(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'SNAT', 'DNAT']);
const ctstate: Handler = (opt, ctx) => ({
  ...neg(opt),
  kind: 'ctstate',
  states: one(opt, ctx).split(',').map((s) => (CT_STATES.has(s) ? (s as CtState) : ctx.fail(`expected a conntrack state (${[...CT_STATES].join(', ')}), found "${s}"`))),
});

const ADDR_TYPES = new Set<string>(['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE']);
function addrTypes(opt: Opt, ctx: LineCtx): AddrType[] {
  return one(opt, ctx).split(',').map((t) => (ADDR_TYPES.has(t) ? (t as AddrType) : ctx.fail(`expected an address type (${[...ADDR_TYPES].join(', ')}), found "${t}"`)));
}

/** Module name → option → handler. Modules whose options combine (statistic, socket, addrtype, physdev) have their own functions. */
const SIMPLE: Record<string, Record<string, Handler>> = {
  tcp: tcpudp,
  udp: tcpudp,
  sctp: tcpudp,
  multiport: {
    '--dports': ports('dport', ':'),
    '--destination-ports': ports('dport', ':'),
    '--sports': ports('sport', ':'),
    '--source-ports': ports('sport', ':'),
  },
  mark: markMatch('mark'),
  connmark: markMatch('connmark'),
  owner: {
    '--uid-owner': (opt, ctx) => ({ ...neg(opt), kind: 'uid', ranges: [idRange(one(opt, ctx), ctx, 'uid')] }),
    '--gid-owner': (opt, ctx) => ({ ...neg(opt), kind: 'gid', ranges: [idRange(one(opt, ctx), ctx, 'gid')] }),
    '--socket-exists': (opt) => ({ ...neg(opt), kind: 'socket-exists' }),
  },
  set: {
    '--match-set': (opt, ctx) => ({ ...neg(opt), kind: 'set', name: opt.args[0], dirs: setDirs(opt.args[1], ctx) }),
  },
  conntrack: { '--ctstate': ctstate },
  state: { '--state': ctstate },
  comment: { '--comment': (opt, ctx) => ({ kind: 'comment', text: one(opt, ctx) }) },
};

function setDirs(text: string, ctx: LineCtx): ('src' | 'dst')[] {
  return text.split(',').map((d) => (d === 'src' || d === 'dst' ? d : ctx.fail(`expected src or dst in --match-set flags, found "${d}"`)));
}

/** A table entry by name; names such as `constructor` are arguments, not inherited members. */
export function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function neg(opt: Opt): { negate?: boolean } {
  return opt.negate ? { negate: true } : {};
}

function one(opt: Opt, ctx: LineCtx): string {
  if (opt.args.length !== 1) ctx.fail(`expected one argument after ${opt.name}, found ${opt.args.length}`);
  return opt.args[0];
}

function unsupported(module: string, opts: Opt[]): Match {
  return { kind: 'unsupported', text: [`-m ${module}`, ...opts.map(optText)].join(' ') };
}

/** The matches one `-m module …` stands for; options the model cannot express become `unsupported`. */
export function moduleMatches(module: string, opts: Opt[], ctx: LineCtx): Match[] {
  switch (module) {
    case 'statistic':
      return [statistic(opts, ctx)];
    case 'socket':
      return [socket(opts)];
    case 'addrtype':
      return addrtype(opts, ctx);
    case 'physdev':
      return [physdev(opts)];
  }
  const handlers = own(SIMPLE, module);
  if (!handlers) return [unsupported(module, opts)];
  const out: Match[] = [];
  for (const opt of opts) {
    const h = own(handlers, opt.name);
    out.push(h?.(opt, ctx) ?? unsupported(module, [opt]));
  }
  return out;
}

function statistic(opts: Opt[], ctx: LineCtx): Match {
  const by = byName(opts);
  const known = ['--mode', '--probability', '--every', '--packet'];
  if (opts.some((o) => !known.includes(o.name))) return unsupported('statistic', opts);
  const negate = opts.some((o) => o.negate) ? { negate: true } : {};
  const mode = by.get('--mode');
  if (mode && one(mode, ctx) === 'random') {
    const p = by.get('--probability');
    const probability = p ? Number(one(p, ctx)) : NaN;
    if (!(probability >= 0 && probability <= 1)) ctx.fail('expected --probability between 0 and 1 with --mode random');
    return { ...negate, kind: 'statistic', mode: 'random', probability };
  }
  if (mode && one(mode, ctx) === 'nth') {
    const every = by.get('--every');
    if (!every) ctx.fail('expected --every with --mode nth');
    const packet = by.get('--packet');
    return { ...negate, kind: 'statistic', mode: 'nth', every: u32(one(every, ctx), ctx, '--every'), packet: packet ? u32(one(packet, ctx), ctx, '--packet') : 0 };
  }
  return ctx.fail('expected --mode random or --mode nth for -m statistic');
}

function socket(opts: Opt[]): Match {
  const names = new Set(opts.map((o) => o.name));
  const known = ['--transparent', '--nowildcard', '--restore-skmark'];
  if (opts.some((o) => o.negate || !known.includes(o.name))) return unsupported('socket', opts);
  return { kind: 'socket', transparent: names.has('--transparent'), nowildcard: names.has('--nowildcard'), restoreSkmark: names.has('--restore-skmark') };
}

/**
 * The kernel inverts `--src-type` and `--dst-type` separately, so each becomes its own match;
 * the interface limits apply to both.
 */
function addrtype(opts: Opt[], ctx: LineCtx): Match[] {
  const known = ['--src-type', '--dst-type', '--limit-iface-in', '--limit-iface-out'];
  if (opts.some((o) => !known.includes(o.name) || (o.negate && o.name.startsWith('--limit')))) return [unsupported('addrtype', opts)];
  const limits = {
    ...(opts.some((o) => o.name === '--limit-iface-in') ? { limitIfaceIn: true } : {}),
    ...(opts.some((o) => o.name === '--limit-iface-out') ? { limitIfaceOut: true } : {}),
  };
  const out: Match[] = [];
  for (const o of opts) {
    if (o.name === '--src-type') out.push({ ...neg(o), kind: 'addrtype', src: addrTypes(o, ctx), ...limits });
    if (o.name === '--dst-type') out.push({ ...neg(o), kind: 'addrtype', dst: addrTypes(o, ctx), ...limits });
  }
  if (out.length === 0) ctx.fail('expected --src-type or --dst-type with -m addrtype');
  return out;
}

/** One negation covers the whole match only when every option is negated; mixed forms stay unsupported. */
function physdev(opts: Opt[]): Match {
  const known = ['--physdev-in', '--physdev-out', '--physdev-is-bridged'];
  const negated = opts.filter((o) => o.negate).length;
  if (opts.some((o) => !known.includes(o.name)) || (negated !== 0 && negated !== opts.length) || (negated > 1)) return unsupported('physdev', opts);
  const by = byName(opts);
  return {
    ...(negated ? { negate: true } : {}),
    kind: 'physdev',
    ...(by.get('--physdev-in') ? { in: by.get('--physdev-in')!.args[0] } : {}),
    ...(by.get('--physdev-out') ? { out: by.get('--physdev-out')!.args[0] } : {}),
    ...(by.has('--physdev-is-bridged') ? { isBridged: true } : {}),
  };
}

function byName(opts: Opt[]): Map<string, Opt> {
  return new Map(opts.map((o) => [o.name, o]));
}
