import type { BaseChain, Chain, ChainType, Hook } from '../../model/netfilter.ts';
import { InputError } from '../../model/evidence.ts';
import { isNumber, ptr } from '../json.ts';

const HOOKS: Hook[] = ['prerouting', 'input', 'forward', 'output', 'postrouting'];
const TYPES: ChainType[] = ['filter', 'nat', 'route'];

/** The named priorities of the ip, ip6 and inet families (nft(8), "PRIORITY"). */
const NAMED_PRIORITIES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

/**
 * The hook part of a chain object, or undefined for a regular chain. `unevaluated` is set for hooks
 * outside the IP stack's five (ingress, egress), which run before or after everything the model evaluates.
 */
export function baseChain(c: Record<string, unknown>, file: string, pointer: string): { base?: BaseChain; unevaluated?: string } {
  if (c.hook === undefined) return {};
  const hook = String(c.hook);
  if (!(HOOKS as string[]).includes(hook)) return { unevaluated: `hook ${hook}` };
  const type = c.type === undefined ? 'filter' : String(c.type);
  if (!(TYPES as string[]).includes(type)) throw new InputError(file, { pointer: ptr(pointer, 'chain', 'type') }, `expected chain type filter, nat or route, found ${JSON.stringify(c.type)}`);
  const policy = c.policy === undefined ? 'accept' : String(c.policy);
  if (policy !== 'accept' && policy !== 'drop') throw new InputError(file, { pointer: ptr(pointer, 'chain', 'policy') }, `expected policy accept or drop, found ${JSON.stringify(c.policy)}`);
  return { base: { hook: hook as Hook, priority: priority(c.prio, file, ptr(pointer, 'chain', 'prio')), type: type as ChainType, policy } };
}

/** A number, or a named priority with an optional offset (`dstnat`, `mangle - 5`). */
function priority(prio: unknown, file: string, pointer: string): number {
  if (isNumber(prio)) return prio;
  const m = typeof prio === 'string' ? /^\s*([a-z]+)\s*(?:([+-])\s*(\d+))?\s*$/.exec(prio) : null;
  const base = m && Object.hasOwn(NAMED_PRIORITIES, m[1]) ? NAMED_PRIORITIES[m[1]] : undefined;
  if (!m || base === undefined) throw new InputError(file, { pointer }, `expected a chain priority (a number or raw/mangle/dstnat/filter/security/srcnat), found ${JSON.stringify(prio)}`);
  const offset = m[3] === undefined ? 0 : Number(m[3]) * (m[2] === '-' ? -1 : 1);
  return base + offset;
}

const IPTABLES_TABLES = new Set(['raw', 'mangle', 'nat', 'filter', 'security']);
const IPTABLES_BUILTINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/**
 * iptables-nft creates ip/ip6 tables named after the iptables tables, whose base chains carry the upper-case
 * built-in names. nft's own tables (Istio's included) never look like that.
 */
export function isIptablesNftTable(family: string, table: string, chains: Chain[]): boolean {
  if ((family !== 'ip' && family !== 'ip6') || !IPTABLES_TABLES.has(table)) return false;
  const bases = chains.filter((c) => c.base);
  return bases.length > 0 && bases.every((c) => IPTABLES_BUILTINS.has(c.name));
}
