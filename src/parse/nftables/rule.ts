import type { Action, Match, Rule } from '../../model/netfilter.ts';
import { InputError } from '../../model/evidence.ts';
import { isArray, isNumber, isObject, need, ptr } from '../json.ts';
import { toMatches, type ExprContext } from './matches.ts';
import { onlyKey, renderRule, renderStatement } from './render.ts';
import { toStatement } from './statements.ts';

/** Statements that leave the packet and the verdict alone, so a match after them still reads as a plain condition. */
const PASSIVE = new Set<Action['kind']>(['counter', 'log', 'trace']);

/**
 * One `rule` object → a model rule. nft evaluates a rule's expressions left to right and stops at the first
 * that fails; the model puts every match before every action, which is exact as long as no statement that
 * changes the packet precedes a condition. When one does, that condition is kept as unsupported.
 */
export function buildRule(body: Record<string, unknown>, ctx: ExprContext, chain: string, index: number, file: string, pointer: string): Rule {
  const exprs = need(body.expr, isArray, file, ptr(pointer, 'rule', 'expr'), 'the rule\'s "expr" list');
  const matches: Match[] = [];
  const actions: Action[] = [];
  let counters: Rule['counters'];
  let changed = false;
  const addConditions = (ms: Match[], expr: unknown) => {
    if (changed && ms.length > 0) matches.push({ kind: 'unsupported', text: `${renderStatement(expr)} (a condition after a statement that changed the packet)` });
    else for (const m of ms) addMatch(matches, m);
  };
  exprs.forEach((expr, j) => {
    const where = ptr(pointer, 'rule', 'expr', j);
    const [key, value] = expression(expr, file, where);
    if (key === 'match') return addConditions(toMatches(need(value, isMatch, file, ptr(where, 'match'), 'a match with "op", "left" and "right"'), ctx), expr);
    if (key === 'xt' && isObject(value) && value.type === 'match') return addConditions([{ kind: 'unsupported', text: renderStatement(expr) }], expr);
    const { action, deps } = toStatement(key, value, ctx);
    addConditions(deps, expr);
    actions.push(action);
    if (!PASSIVE.has(action.kind)) changed = true;
    if (key === 'counter' && !counters && isObject(value) && isNumber(value.packets) && isNumber(value.bytes)) counters = { packets: value.packets, bytes: value.bytes };
  });
  const handle = isNumber(body.handle) ? body.handle : undefined;
  return { chain, index, matches, actions, ...(counters ? { counters } : {}), evidence: { file, pointer, text: renderRule(exprs, handle) } };
}

function expression(expr: unknown, file: string, pointer: string): [string, unknown] {
  const kv = onlyKey(expr);
  if (!kv) throw new InputError(file, { pointer }, 'expected a one-key expression object such as {"match": …} or {"accept": null}', 'the file may not be `nft -j list ruleset` output');
  return kv;
}

const isMatch = (v: unknown): v is Record<string, unknown> => isObject(v) && typeof v.op === 'string' && 'left' in v && 'right' in v;

/** Conditions are a conjunction, so an implicit dependency the rule also states explicitly is kept once. */
function addMatch(matches: Match[], m: Match): void {
  const text = JSON.stringify(m);
  if (m.kind === 'unsupported' || !matches.some((x) => JSON.stringify(x) === text)) matches.push(m);
}
