import type { Action, Chain, Match, NfFamily, Rule, Ruleset } from '../model/netfilter.ts';
import { chainKey } from '../model/netfilter.ts';
import { IPTABLES_TABLES, iptablesBase } from '../engine/netfilter/hooks.ts';
import { tokenize } from './iptables/tokenize.ts';
import { splitParts } from './iptables/options.ts';
import type { Part } from './iptables/options.ts';
import { coreMatch, moduleMatches } from './iptables/matches.ts';
import { targetAction, targetText } from './iptables/targets.ts';
import { LineCtx } from './iptables/values.ts';

const SAVE_HINT = 'the file should be the unmodified output of iptables-save -c';

interface OpenTable {
  name: string;
  line: number;
  chains: Map<string, Chain>;
}

/**
 * Reads `iptables-save` / `ip6tables-save` output (with or without `-c`, nf_tables or legacy backend)
 * into the shared netfilter model. Every chain and rule keeps the line it came from.
 */
export function parseIptablesSave(text: string, file: string, backend: 'iptables' | 'ip6tables'): Ruleset {
  const family: NfFamily = backend === 'iptables' ? 'ip' : 'ip6';
  const ruleset: Ruleset = { backend, chains: new Map(), sets: new Map(), iptablesNftTables: [] };
  const seen = new Set<string>();
  let table: OpenTable | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    const line = raw.trim();
    const ctx: LineCtx = new LineCtx(file, i + 1);
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      if (table) ctx.fail(`expected COMMIT before ${line} (table ${table.name} opened on line ${table.line} is not closed)`, SAVE_HINT);
      const name = line.slice(1).trim();
      if (!IPTABLES_TABLES[name]) ctx.fail(`expected a table name (${Object.keys(IPTABLES_TABLES).join(', ')}), found "${name}"`);
      if (seen.has(name)) ctx.fail(`expected each table once, found *${name} again`, SAVE_HINT);
      seen.add(name);
      table = { name, line: i + 1, chains: new Map() };
      continue;
    }
    if (!table) ctx.fail(`expected a *table line before "${truncate(line)}"`, SAVE_HINT);
    if (line === 'COMMIT') {
      for (const chain of table.chains.values()) ruleset.chains.set(chainKey(family, chain.table, chain.name), chain);
      table = undefined;
    } else if (line.startsWith(':')) {
      declareChain(table, line, family, ctx);
    } else {
      addRule(table, line, family, ctx);
    }
  }
  if (table) throw new LineCtx(file, lines.length).fail(`expected COMMIT to close table ${table.name} (opened on line ${table.line})`, 'the file may be truncated');
  return ruleset;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** `:NAME POLICY [packets:bytes]`; built-in chains carry ACCEPT/DROP, user chains `-`. */
function declareChain(table: OpenTable, line: string, family: NfFamily, ctx: LineCtx): void {
  const [name, policy, counters, ...extra] = line.slice(1).split(/\s+/);
  if (!name || !policy || extra.length) ctx.fail(`expected ":CHAIN POLICY [packets:bytes]", found "${truncate(line)}"`);
  if (table.chains.has(name)) ctx.fail(`expected chain ${name} to be declared once in table ${table.name}`);
  const chain: Chain = { family, table: table.name, name, rules: [], evidence: { file: ctx.file, line: ctx.line, text: line } };
  if (policy === '-') {
    if (iptablesBase(table.name, name, 'accept')) ctx.fail(`expected a policy (ACCEPT or DROP) for built-in chain ${name}, found "-"`);
  } else {
    if (policy !== 'ACCEPT' && policy !== 'DROP') ctx.fail(`expected policy ACCEPT, DROP or -, found "${policy}"`);
    const base = iptablesBase(table.name, name, policy === 'ACCEPT' ? 'accept' : 'drop');
    if (!base) ctx.fail(`expected "-" as the policy of user chain ${name} (table ${table.name} has no built-in chain of that name)`);
    chain.base = base;
  }
  if (counters !== undefined) chain.counters = parseCounters(counters, ctx);
  table.chains.set(name, chain);
}

function parseCounters(text: string, ctx: LineCtx): { packets: number; bytes: number } {
  const m = /^\[(\d+):(\d+)\]$/.exec(text);
  if (!m) ctx.fail(`expected counters [packets:bytes], found "${text}"`);
  return { packets: Number(m[1]), bytes: Number(m[2]) };
}

/** `[p:b] -A CHAIN options…`. */
function addRule(table: OpenTable, line: string, family: NfFamily, ctx: LineCtx): void {
  let body = line;
  let counters: Rule['counters'];
  if (line.startsWith('[')) {
    const close = line.indexOf(']');
    counters = parseCounters(close < 0 ? line : line.slice(0, close + 1), ctx);
    body = line.slice(close + 1).trim();
  }
  const tokens = tokenize(body);
  if (!tokens) ctx.fail('expected a closing double quote', 'a quoted argument is not terminated');
  if (tokens[0] !== '-A' && tokens[0] !== '--append') ctx.fail(`expected "-A CHAIN …", ":CHAIN POLICY" or COMMIT, found "${truncate(body)}"`, SAVE_HINT);
  const chain = table.chains.get(tokens[1] ?? '');
  if (!chain) ctx.fail(`expected -A to name a chain declared in table ${table.name}, found "${tokens[1] ?? ''}"`, 'every chain has a ":CHAIN POLICY" line before its rules');
  const v = family === 'ip' ? 4 : 6;
  const matches: Match[] = [];
  const actions: Action[] = [];
  for (const part of splitParts(tokens.slice(2), ctx)) {
    if (part.kind === 'core') matches.push(coreMatch(part.opt, ctx, v));
    else if (part.kind === 'module') matches.push(...moduleMatches(part.module, part.opts, ctx));
    else {
      if (actions.length) ctx.fail('expected at most one -j or -g per rule');
      actions.push(ruleAction(table, part, ctx, v));
    }
  }
  chain.rules.push({
    chain: chainKey(family, table.name, chain.name),
    index: chain.rules.length,
    matches,
    actions,
    ...(counters ? { counters } : {}),
    evidence: { file: ctx.file, line: ctx.line, text: body },
  });
}

function ruleAction(table: OpenTable, part: Extract<Part, { kind: 'target' }>, ctx: LineCtx, v: 4 | 6): Action {
  if (table.chains.has(part.name) && !table.chains.get(part.name)!.base) {
    if (part.opts.length) return { kind: 'unsupported', text: targetText(part.name, part.goto, part.opts) };
    return { kind: part.goto ? 'goto' : 'jump', chain: part.name };
  }
  if (part.goto) ctx.fail(`expected -g to name a user chain of table ${table.name}, found "${part.name}"`);
  return targetAction(part.name, part.opts, ctx, v);
}
