import type { Evidence } from '../model/evidence.ts';
import type { Action, BaseChain, Chain, Match, NfFamily, Rule, Ruleset } from '../model/netfilter.ts';
import { chainKey } from '../model/netfilter.ts';
import { IPTABLES_TABLES, iptablesBase } from '../engine/netfilter/hooks.ts';
import { Tokens, tokenize } from './iptables/tokenize.ts';
import { splitParts } from './iptables/options.ts';
import type { Part } from './iptables/options.ts';
import { coreMatch, moduleMatches } from './iptables/matches.ts';
import { targetAction, targetText } from './iptables/targets.ts';
import { LineCtx } from './iptables/values.ts';

const SAVE_HINT = 'the file should be the unmodified output of iptables-save -c';

export interface IptablesSaveOptions {
  /**
   * Parse a chain's rules the first time its `rules` is read. Tables, chain declarations and each
   * rule's `-A CHAIN` are still checked at once; an error inside a rule surfaces at that read, as an
   * InputError naming the file and line. A trace reads only the chains a packet walks, which on a
   * kube-proxy node is a small part of the dump.
   */
  deferRules?: boolean;
}

interface OpenTable {
  name: string;
  line: number;
  /** Chains by name, each with the order it was declared in. */
  chains: Map<string, { chain: Chain; ordinal: number }>;
}

interface Source {
  text: string;
  file: string;
  family: NfFamily;
}

/**
 * Reads `iptables-save` / `ip6tables-save` output (with or without `-c`, nf_tables or legacy backend)
 * into the shared netfilter model. Every chain and rule keeps the line it came from.
 */
export function parseIptablesSave(text: string, file: string, backend: 'iptables' | 'ip6tables', options: IptablesSaveOptions = {}): Ruleset {
  const src: Source = { text, file, family: backend === 'iptables' ? 'ip' : 'ip6' };
  const ruleset: Ruleset = { backend, chains: new Map(), sets: new Map(), iptablesNftTables: [] };
  const seen = new Set<string>();
  let table: OpenTable | undefined;
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const lineStart = start;
    start = end + 1;
    lineNo++;
    const line = text.slice(lineStart, end).trim();
    if (line === '' || line.charCodeAt(0) === 35 /* # */) continue;
    const ctx: LineCtx = new LineCtx(file, lineNo);
    if (line.startsWith('*')) {
      if (table) ctx.fail(`expected COMMIT before ${line} (table ${table.name} opened on line ${table.line} is not closed)`, SAVE_HINT);
      const name = line.slice(1).trim();
      if (!Object.hasOwn(IPTABLES_TABLES, name)) ctx.fail(`expected a table name (${Object.keys(IPTABLES_TABLES).join(', ')}), found "${name}"`);
      if (seen.has(name)) ctx.fail(`expected each table once, found *${name} again`, SAVE_HINT);
      seen.add(name);
      table = { name, line: lineNo, chains: new Map() };
      continue;
    }
    if (!table) ctx.fail(`expected a *table line before "${truncate(line)}"`, SAVE_HINT);
    if (line === 'COMMIT') {
      for (const { chain } of table.chains.values()) ruleset.chains.set(chainKey(src.family, chain.table, chain.name), chain);
      table = undefined;
    } else if (line.startsWith(':')) {
      declareChain(table, line, src, ctx, options.deferRules === true);
    } else if (options.deferRules) {
      deferRule(table, line, lineStart, end, ctx);
    } else {
      addRule(table, line, src.family, ctx);
    }
  }
  if (table) throw new LineCtx(file, lineNo).fail(`expected COMMIT to close table ${table.name} (opened on line ${table.line})`, 'the file may be truncated');
  return ruleset;
}

/**
 * A chain whose rules are parsed from their lines the first time they are read. Until then each
 * rule costs three numbers: where its line starts and ends in the text, and its line number.
 */
class DeferredChain implements Chain {
  declare base?: BaseChain;
  declare counters?: { packets: number; bytes: number };
  readonly #table: OpenTable;
  readonly #src: Source;
  readonly #pending: number[] = [];
  #rules: Rule[] | undefined;

  constructor(
    readonly family: NfFamily,
    readonly table: string,
    readonly name: string,
    readonly evidence: Evidence,
    open: OpenTable,
    src: Source,
  ) {
    this.#table = open;
    this.#src = src;
  }

  /** Also records how many chains the table had declared: a `-j NAME` names a chain only if it was one of them. */
  defer(start: number, end: number, line: number, declared: number): void {
    this.#pending.push(start, end, line, declared);
  }

  get rules(): Rule[] {
    if (this.#rules) return this.#rules;
    const { text, file, family } = this.#src;
    const p = this.#pending;
    const rules: Rule[] = [];
    for (let i = 0; i < p.length; i += 4) {
      const ctx = new LineCtx(file, p[i + 2]);
      const { body, counters } = splitCounters(text.slice(p[i], p[i + 1]).trim(), ctx);
      const tokens = tokenize(body);
      if (!tokens) unterminated(ctx);
      rules.push(ruleOf(this.#table, this, body, counters, p[i + 3], tokens, family, ctx, rules.length));
    }
    this.#rules = rules;
    return rules;
  }
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** `:NAME POLICY [packets:bytes]`; built-in chains carry ACCEPT/DROP, user chains `-`. */
function declareChain(table: OpenTable, line: string, src: Source, ctx: LineCtx, deferRules: boolean): void {
  const [name, policy, counters, ...extra] = line.slice(1).split(/\s+/);
  if (!name || !policy || extra.length) ctx.fail(`expected ":CHAIN POLICY [packets:bytes]", found "${truncate(line)}"`);
  if (table.chains.has(name)) ctx.fail(`expected chain ${name} to be declared once in table ${table.name}`);
  const evidence: Evidence = { file: ctx.file, line: ctx.line, text: line };
  const chain: Chain = deferRules ? new DeferredChain(src.family, table.name, name, evidence, table, src) : { family: src.family, table: table.name, name, rules: [], evidence };
  const builtIn = Object.hasOwn(IPTABLES_TABLES[table.name], name);
  if (policy === '-') {
    if (builtIn) ctx.fail(`expected a policy (ACCEPT or DROP) for built-in chain ${name}, found "-"`);
  } else {
    if (policy !== 'ACCEPT' && policy !== 'DROP') ctx.fail(`expected policy ACCEPT, DROP or -, found "${policy}"`);
    const base = builtIn ? iptablesBase(table.name, name, policy === 'ACCEPT' ? 'accept' : 'drop') : undefined;
    if (!base) ctx.fail(`expected "-" as the policy of user chain ${name} (table ${table.name} has no built-in chain of that name)`);
    chain.base = base;
  }
  if (counters !== undefined) chain.counters = parseCounters(counters, ctx);
  table.chains.set(name, { chain, ordinal: table.chains.size });
}

function parseCounters(text: string, ctx: LineCtx): { packets: number; bytes: number } {
  const m = /^\[(\d+):(\d+)\]$/.exec(text);
  if (!m) ctx.fail(`expected counters [packets:bytes], found "${text}"`);
  return { packets: Number(m[1]), bytes: Number(m[2]) };
}

/** `[p:b] -A CHAIN options…`, parsed now. */
function addRule(table: OpenTable, line: string, family: NfFamily, ctx: LineCtx): void {
  const { body, counters } = splitCounters(line, ctx);
  const tokens = tokenize(body);
  if (!tokens) unterminated(ctx);
  const chain = appendTo(table, tokens[0], tokens[1], body, ctx);
  chain.rules.push(ruleOf(table, chain, body, counters, table.chains.size, tokens, family, ctx, chain.rules.length));
}

/** `[p:b] -A CHAIN options…`: the counters and the chain are checked now, the options when the chain's rules are read. */
function deferRule(table: OpenTable, line: string, start: number, end: number, ctx: LineCtx): void {
  const { body } = splitCounters(line, ctx);
  const head = new Tokens(body);
  const verb = head.next();
  const name = head.next();
  if (head.open) unterminated(ctx);
  (appendTo(table, verb, name, body, ctx) as DeferredChain).defer(start, end, ctx.line, table.chains.size);
}

function splitCounters(line: string, ctx: LineCtx): { body: string; counters?: Rule['counters'] } {
  if (!line.startsWith('[')) return { body: line };
  const close = line.indexOf(']');
  const counters = parseCounters(close < 0 ? line : line.slice(0, close + 1), ctx);
  return { body: line.slice(close + 1).trim(), counters };
}

function unterminated(ctx: LineCtx): never {
  return ctx.fail('expected a closing double quote', 'a quoted argument is not terminated');
}

function appendTo(table: OpenTable, verb: string | undefined, name: string | undefined, body: string, ctx: LineCtx): Chain {
  if (verb !== '-A' && verb !== '--append') ctx.fail(`expected "-A CHAIN …", ":CHAIN POLICY" or COMMIT, found "${truncate(body)}"`, SAVE_HINT);
  const chain = table.chains.get(name ?? '')?.chain;
  if (!chain) ctx.fail(`expected -A to name a chain declared in table ${table.name}, found "${name ?? ''}"`, 'every chain has a ":CHAIN POLICY" line before its rules');
  return chain;
}

function ruleOf(table: OpenTable, chain: Chain, body: string, counters: Rule['counters'], declared: number, tokens: string[], family: NfFamily, ctx: LineCtx, index: number): Rule {
  const v = family === 'ip' ? 4 : 6;
  const matches: Match[] = [];
  const actions: Action[] = [];
  for (const part of splitParts(tokens, 2, ctx)) {
    if (part.kind === 'core') matches.push(coreMatch(part.opt, ctx, v));
    else if (part.kind === 'module') matches.push(...moduleMatches(part.module, part.opts, ctx));
    else {
      if (actions.length) ctx.fail('expected at most one -j or -g per rule');
      actions.push(ruleAction(table, declared, part, ctx, v));
    }
  }
  return {
    chain: chainKey(family, table.name, chain.name),
    index,
    matches,
    actions,
    ...(counters ? { counters } : {}),
    evidence: { file: ctx.file, line: ctx.line, text: body },
  };
}

/** `-j NAME` jumps when NAME is a user chain declared before the rule; otherwise it is a target extension. */
function ruleAction(table: OpenTable, declared: number, part: Extract<Part, { kind: 'target' }>, ctx: LineCtx, v: 4 | 6): Action {
  const target = table.chains.get(part.name);
  if (target && target.ordinal < declared && !target.chain.base) {
    if (part.opts.length) return { kind: 'unsupported', text: targetText(part.name, part.goto, part.opts) };
    return { kind: part.goto ? 'goto' : 'jump', chain: part.name };
  }
  if (part.goto) ctx.fail(`expected -g to name a user chain of table ${table.name}, found "${part.name}"`);
  return targetAction(part.name, part.opts, ctx, v);
}
