import { chainKey, type Chain, type NfFamily, type Ruleset } from '../model/netfilter.ts';
import type { Evidence } from '../model/evidence.ts';
import { InputError } from '../model/evidence.ts';
import { isArray, isObject, isString, need, parseJsonText, ptr, tooDeep } from './json.ts';
import { baseChain, isIptablesNftTable } from './nftables/chains.ts';
import { onlyKey } from './nftables/render.ts';
import { buildRule } from './nftables/rule.ts';
import { setElements, setKey } from './nftables/sets.ts';

const FAMILIES: NfFamily[] = ['ip', 'ip6', 'inet'];
const EXPECTED = '`nft -j list ruleset` output: {"nftables": [{"metainfo": …}, {"table": …}, …]}';

/**
 * nft nests an expression a handful of levels (a binary operation over a payload, a set of ranges);
 * the rule decoders and the renderer recurse over expressions, so deeper input is refused up front.
 */
const MAX_DEPTH = 64;

/**
 * Parses `nft -j list ruleset`. Tables of the ip, ip6 and inet families become chains and rules of the
 * shared netfilter model; tables of other families (netdev, bridge, arp) act outside the IP hooks the
 * model evaluates and are listed in `unevaluated`. Maps, flowtables and stateful objects carry no
 * decision of their own; rules that use them become unsupported.
 */
export function parseNftJson(text: string, file: string): Ruleset {
  const root = need(parseJsonText(text, file, EXPECTED), isObject, file, '', EXPECTED);
  const items = need(root.nftables, isArray, file, '/nftables', EXPECTED);
  const deep = tooDeep(items, MAX_DEPTH, '/nftables');
  if (deep !== undefined) throw new InputError(file, { pointer: deep }, `expected nft JSON nested at most ${MAX_DEPTH} levels, found deeper nesting`, 'nft never prints expressions this deep; the file may be crafted or corrupt');
  const rs: Ruleset = { backend: 'nftables', chains: new Map(), sets: new Map(), iptablesNftTables: [] };
  const unevaluated: { what: string; evidence: Evidence }[] = [];
  const skipped = new Set<string>();
  const tables = new Map<string, { family: string; name: string }>();

  items.forEach((item, i) => {
    const pointer = ptr('/nftables', i);
    const [kind, body] = onlyKey(item) ?? [];
    if (kind === undefined || !isObject(body)) throw new InputError(file, { pointer }, 'expected a one-key object such as {"table": {…}}', 'the file may not be `nft -j list ruleset` output');
    if (kind === 'metainfo') return;
    const family = need(body.family, isString, file, ptr(pointer, kind, 'family'), 'the family name');
    if (kind === 'table') {
      const name = need(body.name, isString, file, ptr(pointer, kind, 'name'), 'the table name');
      tables.set(`${family}/${name}`, { family, name });
      if (!(FAMILIES as string[]).includes(family)) {
        skipped.add(`${family}/${name}`);
        unevaluated.push({ what: `table ${family} ${name}`, evidence: { file, pointer, text: `table ${family} ${name}` } });
      }
      return;
    }
    if (kind !== 'chain' && kind !== 'rule' && kind !== 'set') return;
    const table = need(body.table, isString, file, ptr(pointer, kind, 'table'), 'the table name');
    if (skipped.has(`${family}/${table}`)) return;
    if (!(FAMILIES as string[]).includes(family)) throw new InputError(file, { pointer: ptr(pointer, kind, 'family') }, `expected family ip, ip6 or inet, found ${JSON.stringify(family)}`);
    const ctx = { family: family as NfFamily, table };
    if (kind === 'chain') addChain(rs, unevaluated, body, ctx, file, pointer);
    else if (kind === 'rule') addRule(rs, body, ctx, file, pointer);
    else addSet(rs, body, ctx, file, pointer);
  });

  for (const { family, name } of tables.values()) {
    const chains = [...rs.chains.values()].filter((c) => c.family === family && c.table === name);
    if (isIptablesNftTable(family, name, chains)) rs.iptablesNftTables.push(`${family}/${name}`);
  }
  if (unevaluated.length > 0) rs.unevaluated = unevaluated;
  return rs;
}

type Ctx = { family: NfFamily; table: string };

function addChain(rs: Ruleset, unevaluated: { what: string; evidence: Evidence }[], body: Record<string, unknown>, ctx: Ctx, file: string, pointer: string): void {
  const name = need(body.name, isString, file, ptr(pointer, 'chain', 'name'), 'the chain name');
  const { base, unevaluated: why } = baseChain(body, file, pointer);
  const hookText = base ? ` { type ${base.type} hook ${base.hook} priority ${base.priority}; policy ${base.policy}; }` : '';
  const evidence: Evidence = { file, pointer, text: `chain ${ctx.family} ${ctx.table} ${name}${hookText}` };
  if (why) unevaluated.push({ what: `chain ${ctx.family} ${ctx.table} ${name} (${why})`, evidence });
  const chain: Chain = { family: ctx.family, table: ctx.table, name, ...(base ? { base } : {}), rules: [], evidence };
  rs.chains.set(chainKey(ctx.family, ctx.table, name), chain);
}

function addRule(rs: Ruleset, body: Record<string, unknown>, ctx: Ctx, file: string, pointer: string): void {
  const name = need(body.chain, isString, file, ptr(pointer, 'rule', 'chain'), 'the chain name');
  const key = chainKey(ctx.family, ctx.table, name);
  const chain = rs.chains.get(key);
  if (!chain) throw new InputError(file, { pointer: ptr(pointer, 'rule', 'chain') }, `expected a chain declared before its rules, found none named ${key}`, 'nft lists every chain before its rules; the file may be edited or truncated');
  chain.rules.push(buildRule(body, ctx, key, chain.rules.length, file, pointer));
}

function addSet(rs: Ruleset, body: Record<string, unknown>, ctx: Ctx, file: string, pointer: string): void {
  const name = need(body.name, isString, file, ptr(pointer, 'set', 'name'), 'the set name');
  rs.sets.set(setKey(ctx.family, ctx.table, name), setElements(body.elem));
}
