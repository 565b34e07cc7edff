import type { Action, Chain, CtState, Hook, Rule, Ruleset } from '../../model/netfilter.ts';
import { chainKey } from '../../model/netfilter.ts';
import type { Packet } from '../../model/packet.ts';
import { ipFamily } from '../net/cidr.ts';
import type { NfContext } from './context.ts';
import { applyMarks, applyNat, tproxyListens, xmark } from './action.ts';
import { natCorePriority } from './hooks.ts';
import { ruleOutcome, type MatchEnv } from './match.ts';

export type { NfContext } from './context.ts';

export interface NfStep {
  rule: Rule;
  /** Base chain as `table/CHAIN`, then each chain jumped or gone to, e.g. `['mangle/PREROUTING', 'ztunnel-PREROUTING']`. */
  chainPath: string[];
  /** Undefined for a matching rule without a target (it only counts). */
  action: Action | undefined;
  before: Packet;
  after: Packet;
}

export type NatKind = 'redirect' | 'dnat' | 'snat' | 'masquerade';

export interface HookResult {
  verdict: 'accept' | 'drop' | 'reject';
  /** After marks, ct marks, zone and NAT. */
  packet: Packet;
  /** Rules that matched, in order (one step per action executed). */
  steps: NfStep[];
  /** The built-in chain whose policy decided the verdict (the last base chain ended by its policy). */
  policy?: { chain: Chain };
  /** Socket assignment by TPROXY. */
  tproxy?: { ip?: string; port: number };
  nat?: { kind: NatKind; rule: Rule };
  /** Undecidable matches and unknown targets on rules the packet reached: the path could differ there. */
  unsupported: { rule: Rule; text: string }[];
  /** `-m statistic` rules whose outcome the context decided, for alternatives. */
  decisions: Rule[];
  /** A jump loop, or chains nested deeper than the kernel allows: evaluation stopped. */
  loop?: { chains: string[] };
  /** A `notrack` ran: later nat chains of the hook never see the packet. */
  untracked?: true;
  /**
   * Base chains sharing this hook and priority, one of which changed or decided the packet. The kernel
   * runs them in reverse registration order (`nf_hook_entries_grow` puts a new hook before equal
   * priorities), which no dump shows; `steps` are the indices into `steps` that the order could change.
   */
  ties?: { chains: Chain[]; steps: number[] }[];
}

export interface HookOptions {
  /** NAT was decided by an earlier packet or hook: nat chains are skipped. */
  skipNat?: boolean;
  /**
   * Only the base chains at positions [from, to) of `baseChains` order. The kernel acts between some
   * base chains of a hook (OUTPUT re-routes after the route and nat chains), so a caller can stop there.
   */
  window?: [number, number];
  /** The result of the window before this one: the connection state it left (NAT, notrack, TPROXY) carries over. */
  resume?: HookResult;
}

/** Deeper jump nesting than this is treated as a loop (the kernel refuses loops when rules are loaded). */
const MAX_DEPTH = 64;
/** Rule evaluations per hook before giving up: a bound on exponential fan-out through repeated jumps. */
const MAX_EVALUATIONS = 200_000;

interface Base {
  chain: Chain;
  ruleset: Ruleset;
  order: [number, number];
}

/** Mutable state of one hook traversal. */
interface Walk {
  hook: Hook;
  ctx: NfContext;
  family: 4 | 6;
  pkt: Packet;
  steps: NfStep[];
  unsupported: { rule: Rule; text: string }[];
  decisions: Rule[];
  notrack: boolean;
  nat?: { kind: NatKind; rule: Rule };
  tproxy?: { ip?: string; port: number };
  evaluations: number;
}

type ChainEnd =
  | { kind: 'accept' | 'drop' | 'reject'; byPolicy: boolean }
  | { kind: 'loop'; chains: string[] };

/**
 * Runs a packet through every base chain registered at `hook` in the rule sets of one netns.
 * Base chains run by priority; `accept` (a rule, a policy, TPROXY or NAT) ends only its own base
 * chain, `drop` and `reject` end the packet. NAT chains run at the nat core's priority and only until
 * one of them has mapped the connection; they see only a connection's first packet (`skipNat` when
 * the caller knows NAT was already decided) and never an untracked one.
 */
export function evaluateHook(rulesets: Ruleset[], hook: Hook, pkt: Packet, ctx: NfContext, opts: HookOptions = {}): HookResult {
  const family = ipFamily(pkt.dst) ?? 4;
  const r = opts.resume;
  const w: Walk = {
    hook, ctx, family, pkt, steps: [], unsupported: [], decisions: [], notrack: r?.untracked ?? false, evaluations: 0,
    ...(r?.nat ? { nat: r.nat } : {}), ...(r?.tproxy ? { tproxy: r.tproxy } : {}),
  };
  let policy: Chain | undefined;
  const bases = baseChains(rulesets, hook, family);
  const window = opts.window ? bases.slice(...opts.window) : bases;
  const ran = new Map<Base, number[]>();
  const done = (verdict: HookResult['verdict'], loop?: string[]): HookResult => ({ ...result(w, verdict, policy, loop), ...ties(window, ran, w.steps) });
  for (const base of window) {
    if (base.chain.base!.type === 'nat' && (opts.skipNat || w.notrack || w.nat)) continue;
    const first = w.steps.length;
    const end = runBase(base, w);
    ran.set(base, w.steps.map((_, i) => i).slice(first));
    if (end.kind === 'loop') return done('drop', end.chains);
    policy = end.byPolicy ? base.chain : undefined;
    if (end.kind !== 'accept') return done(end.kind);
  }
  return done('accept');
}

/** Steps that only steer evaluation or count: running them earlier or later changes nothing. */
const INERT = new Set<Action['kind']>(['jump', 'goto', 'return', 'counter', 'log', 'trace']);

/**
 * Equal-priority base chains whose order matters here: one of them acted on the packet, and another
 * has rules or a dropping policy that it would have met first in the other order.
 */
function ties(window: Base[], ran: Map<Base, number[]>, steps: NfStep[]): Pick<HookResult, 'ties'> {
  const out: NonNullable<HookResult['ties']> = [];
  for (let i = 0; i < window.length;) {
    let j = i + 1;
    while (j < window.length && sameOrder(window[i], window[j])) j++;
    const group = window.slice(i, j);
    i = j;
    if (group.length < 2) continue;
    const acted = group.flatMap((b) => ran.get(b) ?? []).filter((k) => { const a = steps[k].action; return a !== undefined && !INERT.has(a.kind); });
    const live = group.filter((b) => b.chain.rules.length > 0 || b.chain.base!.policy !== 'accept');
    if (acted.length > 0 && live.length > 1) out.push({ chains: live.map((b) => b.chain), steps: acted });
  }
  return out.length > 0 ? { ties: out } : {};
}

const sameOrder = (x: Base, y: Base): boolean => x.order[0] === y.order[0] && x.order[1] === y.order[1];

function result(w: Walk, verdict: HookResult['verdict'], policy: Chain | undefined, loop?: string[]): HookResult {
  return {
    verdict,
    packet: w.pkt,
    steps: w.steps,
    ...(policy ? { policy: { chain: policy } } : {}),
    ...(w.tproxy ? { tproxy: w.tproxy } : {}),
    ...(w.nat ? { nat: w.nat } : {}),
    unsupported: w.unsupported,
    decisions: w.decisions,
    ...(loop ? { loop: { chains: loop } } : {}),
    ...(w.notrack ? { untracked: true as const } : {}),
  };
}

function familyApplies(chain: Chain, family: 4 | 6): boolean {
  return chain.family === 'inet' || chain.family === (family === 4 ? 'ip' : 'ip6');
}

/** Base chains at `hook` in kernel order; equal priorities keep the order the rule sets were given in. */
export function baseChains(rulesets: Ruleset[], hook: Hook, family: 4 | 6): Base[] {
  const out: Base[] = [];
  for (const ruleset of rulesets) {
    for (const chain of ruleset.chains.values()) {
      const b = chain.base;
      if (!b || b.hook !== hook || !familyApplies(chain, family)) continue;
      out.push({ chain, ruleset, order: b.type === 'nat' ? [natCorePriority(hook), b.priority] : [b.priority, 0] });
    }
  }
  return out.sort((x, y) => x.order[0] - y.order[0] || x.order[1] - y.order[1]);
}

interface Frame {
  chain: Chain;
  idx: number;
  path: string[];
  keys: string[];
}

/**
 * One base chain, walked iteratively with an explicit return stack: a jump pushes the caller, a
 * goto replaces the current chain (so a RETURN from it goes back to the caller's caller), and a
 * RETURN or the end of a chain with an empty stack applies the base chain's policy.
 */
function runBase(base: Base, w: Walk): ChainEnd {
  const { chain: root, ruleset } = base;
  const rootKey = chainKey(root.family, root.table, root.name);
  let cur: Frame = { chain: root, idx: 0, path: [`${root.table}/${root.name}`], keys: [rootKey] };
  const stack: Frame[] = [];
  const policyEnd = (): ChainEnd => ({ kind: root.base!.policy, byPolicy: true });
  for (;;) {
    if (cur.idx >= cur.chain.rules.length) {
      const caller = stack.pop();
      if (!caller) return policyEnd();
      cur = caller;
      continue;
    }
    if (++w.evaluations > MAX_EVALUATIONS) return { kind: 'loop', chains: cur.path };
    const rule = cur.chain.rules[cur.idx++];
    const env: MatchEnv = { ctx: w.ctx, family: w.family, ruleset, states: states(w) };
    const out = ruleOutcome(rule, w.pkt, env);
    for (const text of out.unknown) w.unsupported.push({ rule, text });
    if (out.decision) w.decisions.push(rule);
    if (!out.matched) continue;
    if (out.skmark !== undefined) w.pkt = { ...w.pkt, mark: out.skmark };
    if (rule.actions.length === 0) w.steps.push({ rule, chainPath: cur.path, action: undefined, before: w.pkt, after: w.pkt });
    for (const action of rule.actions) {
      const flow = act(action, rule, cur.path, w);
      if (flow.kind === 'continue') continue;
      if (flow.kind === 'return') {
        const caller = stack.pop();
        if (!caller) return policyEnd();
        cur = caller;
        break;
      }
      if (flow.kind === 'jump' || flow.kind === 'goto') {
        const target = ruleset.chains.get(chainKey(cur.chain.family, cur.chain.table, flow.chain));
        if (!target) {
          w.unsupported.push({ rule, text: `${flow.kind} to chain ${flow.chain}, which is not in the rule set` });
          continue;
        }
        const key = chainKey(target.family, target.table, target.name);
        const next: Frame = { chain: target, idx: 0, path: [...cur.path, target.name], keys: [...cur.keys, key] };
        if (cur.keys.includes(key) || next.keys.length > MAX_DEPTH) return { kind: 'loop', chains: next.path };
        if (flow.kind === 'jump') stack.push(cur);
        cur = next;
        break;
      }
      return { kind: flow.kind, byPolicy: false };
    }
  }
}

function states(w: Walk): CtState[] {
  if (w.notrack) return ['UNTRACKED'];
  const base = w.ctx.ctstate ?? ['NEW'];
  const nat: CtState[] = w.nat ? [w.nat.kind === 'redirect' || w.nat.kind === 'dnat' ? 'DNAT' : 'SNAT'] : [];
  return [...base, ...nat];
}

type Flow =
  | { kind: 'continue' | 'return' | 'accept' | 'drop' | 'reject' }
  | { kind: 'jump' | 'goto'; chain: string };

/** Executes one action: records the step, changes the walk's packet, and says where control goes. */
function act(action: Action, rule: Rule, chainPath: string[], w: Walk): Flow {
  const before = w.pkt;
  const step = (after: Packet): void => {
    w.pkt = after;
    w.steps.push({ rule, chainPath, action, before, after });
  };
  switch (action.kind) {
    case 'accept':
    case 'drop':
    case 'reject':
    case 'return':
      step(before);
      return { kind: action.kind };
    case 'jump':
    case 'goto':
      step(before);
      return { kind: action.kind, chain: action.chain };
    case 'redirect':
    case 'dnat':
    case 'snat':
    case 'masquerade': {
      const after = applyNat(action, before, w.hook, w.ctx);
      step(after ?? before);
      if (!after) return { kind: 'drop' };
      w.nat = { kind: action.kind, rule };
      return { kind: 'accept' };
    }
    case 'tproxy': {
      const after = action.mark ? { ...before, mark: xmark(before.mark, action.mark.mask, action.mark.value) } : before;
      step(after);
      if (!tproxyListens(action, before, w.ctx)) return { kind: 'drop' };
      w.tproxy = { ...(action.ip ? { ip: action.ip } : {}), port: action.port };
      return { kind: action.nonTerminal ? 'continue' : 'accept' };
    }
    case 'ct':
      step(applyMarks(action, before, !w.notrack));
      if (action.notrack) w.notrack = true;
      return { kind: 'continue' };
    case 'unsupported':
      step(before);
      w.unsupported.push({ rule, text: action.text });
      return { kind: 'continue' };
    default:
      step(applyMarks(action, before, !w.notrack));
      return { kind: 'continue' };
  }
}
