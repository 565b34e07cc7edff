import type { Action, Masked, PortRange } from '../../model/netfilter.ts';
import type { Opt } from './options.ts';
import { own } from './matches.ts';
import { optText } from './options.ts';
import type { LineCtx } from './values.ts';
import { address, masked, portRange, quoteArg, u32 } from './values.ts';

const U32 = 0xffffffff;

/** Options that only choose among equivalent ports or addresses; the path is the same whichever is chosen. */
const PORT_CHOICE = new Set(['--random', '--random-fully', '--persistent']);

export function targetText(name: string, goto: boolean, opts: Opt[]): string {
  return [goto ? '-g' : '-j', quoteArg(name), ...opts.map(optText)].join(' ');
}

type Builder = (opts: Map<string, Opt>, ctx: LineCtx, family: 4 | 6) => Action | undefined;

/**
 * Each builder sees the target's options by name and returns undefined when an option or
 * combination is outside the model; the rule then keeps the target as `unsupported`.
 */
const BUILDERS: Record<string, { known: string[]; build: Builder }> = {
  ACCEPT: { known: [], build: () => ({ kind: 'accept' }) },
  DROP: { known: [], build: () => ({ kind: 'drop' }) },
  RETURN: { known: [], build: () => ({ kind: 'return' }) },
  REJECT: { known: ['--reject-with'], build: (o, ctx) => ({ kind: 'reject', ...(o.has('--reject-with') ? { with: arg(o, '--reject-with', ctx) } : {}) }) },
  REDIRECT: { known: ['--to-ports', ...PORT_CHOICE], build: (o, ctx) => ({ kind: 'redirect', ...portsOpt(o, ctx) }) },
  MASQUERADE: { known: ['--to-ports', ...PORT_CHOICE], build: (o, ctx) => ({ kind: 'masquerade', ...portsOpt(o, ctx) }) },
  DNAT: { known: ['--to-destination', ...PORT_CHOICE], build: (o, ctx, f) => ({ kind: 'dnat', ...natTo(arg(o, '--to-destination', ctx), ctx, f) }) },
  SNAT: { known: ['--to-source', ...PORT_CHOICE], build: (o, ctx, f) => ({ kind: 'snat', ...natTo(arg(o, '--to-source', ctx), ctx, f) }) },
  TPROXY: { known: ['--on-port', '--on-ip', '--tproxy-mark'], build: tproxy },
  MARK: { known: ['--set-xmark', '--set-mark', '--or-mark', '--and-mark', '--xor-mark'], build: mark },
  CONNMARK: { known: ['--set-xmark', '--set-mark', '--or-mark', '--and-mark', '--xor-mark', '--save-mark', '--restore-mark', '--nfmask', '--ctmask', '--mask'], build: connmark },
  CT: { known: ['--zone', '--notrack'], build: ct },
  NOTRACK: { known: [], build: () => ({ kind: 'ct', notrack: true }) },
  LOG: {
    known: ['--log-prefix', '--log-level', '--log-tcp-sequence', '--log-tcp-options', '--log-ip-options', '--log-uid', '--log-macdecode'],
    build: (o, ctx) => ({ kind: 'log', ...(o.has('--log-prefix') ? { prefix: arg(o, '--log-prefix', ctx) } : {}) }),
  },
  NFLOG: {
    known: ['--nflog-prefix', '--nflog-group', '--nflog-size', '--nflog-range', '--nflog-threshold'],
    build: (o, ctx) => ({ kind: 'log', ...(o.has('--nflog-prefix') ? { prefix: arg(o, '--nflog-prefix', ctx) } : {}) }),
  },
  TRACE: { known: [], build: () => ({ kind: 'trace' }) },
};

/** The action of `-j NAME …` when NAME is not a chain of the table. */
export function targetAction(name: string, opts: Opt[], ctx: LineCtx, family: 4 | 6): Action {
  const spec = own(BUILDERS, name);
  const byName = new Map(opts.map((o) => [o.name, o]));
  const wellFormed = spec && byName.size === opts.length && opts.every((o) => !o.negate && spec.known.includes(o.name));
  const action = wellFormed ? spec.build(byName, ctx, family) : undefined;
  return action ?? { kind: 'unsupported', text: targetText(name, false, opts) };
}

function arg(o: Map<string, Opt>, name: string, ctx: LineCtx): string {
  const opt = o.get(name);
  if (!opt || opt.args.length !== 1) ctx.fail(`expected one argument after ${name}`);
  return opt.args[0];
}

function portsOpt(o: Map<string, Opt>, ctx: LineCtx): { ports?: PortRange } {
  return o.has('--to-ports') ? { ports: portRange(arg(o, '--to-ports', ctx), '-', ctx) } : {};
}

/** `ip[-ip][:port[-port]]`, `[v6]:port`, or a bare IPv6 address (`ip6tables` never needs brackets without a port). */
function natTo(text: string, ctx: LineCtx, family: 4 | 6): { addr?: string; ports?: PortRange } {
  let addr = text;
  let ports: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) ctx.fail(`expected [address]:port, found "${text}"`);
    addr = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) ctx.fail(`expected ":" after "]" in "${text}"`);
    ports = rest === '' ? undefined : rest.slice(1);
  } else if (family === 4 || text.startsWith(':')) {
    const colon = text.indexOf(':');
    if (colon >= 0) {
      addr = text.slice(0, colon);
      ports = text.slice(colon + 1);
    }
  }
  for (const a of addr === '' ? [] : addr.split('-')) address(a, ctx, family);
  return { ...(addr !== '' ? { addr } : {}), ...(ports !== undefined ? { ports: portRange(ports, '-', ctx) } : {}) };
}

/** `--on-ip 0.0.0.0` (what iptables-save prints when none was given) means "the packet's own destination". */
function tproxy(o: Map<string, Opt>, ctx: LineCtx, family: 4 | 6): Action {
  const ip = o.has('--on-ip') ? address(arg(o, '--on-ip', ctx), ctx, family) : undefined;
  const unspecified = ip === undefined || ip === '0.0.0.0' || ip === '::';
  return {
    kind: 'tproxy',
    port: u32(arg(o, '--on-port', ctx), ctx, '--on-port'),
    ...(unspecified ? {} : { ip }),
    ...(o.has('--tproxy-mark') ? { mark: masked(arg(o, '--tproxy-mark', ctx), ctx, '--tproxy-mark') } : {}),
  };
}

/** The mark and mask iptables' libxt_MARK stores for each form; the kernel does mark = (mark & ~mask) ^ value. */
function xmark(o: Map<string, Opt>, ctx: LineCtx): { clear: number; xor: number } | undefined {
  const forms = ['--set-xmark', '--set-mark', '--or-mark', '--and-mark', '--xor-mark'].filter((n) => o.has(n));
  if (forms.length !== 1) return undefined;
  const form = forms[0];
  const m: Masked = masked(arg(o, form, ctx), ctx, form);
  const hasMask = arg(o, form, ctx).includes('/');
  if (form !== '--set-xmark' && form !== '--set-mark' && hasMask) ctx.fail(`expected no mask after ${form}`);
  switch (form) {
    case '--set-xmark':
      return { clear: m.mask, xor: m.value };
    case '--set-mark':
      return { clear: (m.mask | m.value) >>> 0, xor: m.value };
    case '--and-mark':
      return { clear: ~m.value >>> 0, xor: 0 };
    case '--or-mark':
      return { clear: m.value, xor: m.value };
    default:
      return { clear: 0, xor: m.value };
  }
}

function mark(o: Map<string, Opt>, ctx: LineCtx): Action | undefined {
  const x = xmark(o, ctx);
  return x && { kind: 'mark', ...x };
}

/** libxt_CONNMARK: `--mask` sets both masks; both default to all ones. */
function connmark(o: Map<string, Opt>, ctx: LineCtx): Action | undefined {
  const save = o.has('--save-mark');
  const restore = o.has('--restore-mark');
  const maskOpts = ['--nfmask', '--ctmask', '--mask'].filter((n) => o.has(n));
  if (save || restore) {
    if (save && restore) return undefined;
    if (o.size !== 1 + maskOpts.length) return undefined;
    const both = o.has('--mask') ? u32(arg(o, '--mask', ctx), ctx, '--mask') : U32;
    const nfmask = o.has('--nfmask') ? u32(arg(o, '--nfmask', ctx), ctx, '--nfmask') : both;
    const ctmask = o.has('--ctmask') ? u32(arg(o, '--ctmask', ctx), ctx, '--ctmask') : both;
    return { kind: save ? 'connmark-save' : 'connmark-restore', nfmask, ctmask };
  }
  if (maskOpts.length) return undefined;
  const x = xmark(o, ctx);
  return x && { kind: 'connmark-set', ...x };
}

function ct(o: Map<string, Opt>, ctx: LineCtx): Action | undefined {
  if (o.has('--notrack')) return o.size === 1 ? { kind: 'ct', notrack: true } : undefined;
  if (!o.has('--zone')) return undefined;
  return { kind: 'ct', zone: u32(arg(o, '--zone', ctx), ctx, '--zone') };
}
