import type { IpRule } from '../../model/routing.ts';
import { TABLE_DEFAULT, TABLE_LOCAL, TABLE_MAIN } from '../../model/routing.ts';
import { cidrContainsAddr, parseCidr, type IpAddr } from '../net/cidr.ts';

/** What a policy rule can select on, as the kernel's flow key carries it. */
export interface RuleFlow {
  family: 4 | 6;
  /** The unspecified address for a locally generated packet whose source is not chosen yet. */
  src: IpAddr;
  dst: IpAddr;
  /** `lo` for locally generated packets. */
  iif: string;
  /** Bound device of a local socket; undefined when unbound (flowi_oif 0). */
  oif?: string;
  mark: number;
  /** 0 when the query names no protocol, as in `ip route get` without `ipproto`. */
  proto: number;
  sport: number;
  dport: number;
}

/** The kernel's rules for a netns nobody changed (`fib4_rules_init`, `fib6_rules_net_init`): IPv6 has no `default` rule. */
export function defaultRules(family: 4 | 6, file: string): IpRule[] {
  const rule = (priority: number, table: number, name: string): IpRule => ({
    family,
    priority,
    action: 'lookup',
    table,
    evidence: { file, missing: true, text: `${priority}: from all lookup ${name}` },
  });
  const rules = [rule(0, TABLE_LOCAL, 'local'), rule(32766, TABLE_MAIN, 'main')];
  return family === 4 ? [...rules, rule(32767, TABLE_DEFAULT, 'default')] : rules;
}

/** A rule's `fwmark value/mask` selector (absent: any mark) against a packet's mark. */
export function fwmarkMatches(rule: IpRule, mark: number): boolean {
  return !rule.fwmark || ((mark ^ rule.fwmark.value) & rule.fwmark.mask) >>> 0 === 0;
}

/** The selectors in `fib_rule_match` order; undefined when all match, else the first that failed. */
function mismatch(rule: IpRule, flow: RuleFlow): string | undefined {
  if (rule.detached) return `its device ${rule.iif ?? rule.oif} is not in this netns`;
  if (rule.iif !== undefined && rule.iif !== flow.iif) return `iif ${rule.iif} ≠ ${flow.iif}`;
  if (rule.oif !== undefined && rule.oif !== flow.oif) return `oif ${rule.oif} ≠ ${flow.oif ?? 'none (unbound socket)'}`;
  if (!fwmarkMatches(rule, flow.mark)) {
    return `mark 0x${flow.mark.toString(16)} & 0x${rule.fwmark!.mask.toString(16)} ≠ 0x${rule.fwmark!.value.toString(16)}`;
  }
  if (rule.unsupported?.length) return `selector ${rule.unsupported.join(', ')} is not evaluated; the rule is assumed not to match`;
  if (rule.src !== undefined && !prefixHas(rule.src, flow.src)) return `from ${rule.src} does not contain ${ipText(flow)}`;
  if (rule.dst !== undefined && !prefixHas(rule.dst, flow.dst)) return `to ${rule.dst} does not contain the destination`;
  if (rule.ipproto !== undefined && rule.ipproto !== flow.proto) return `ipproto ${rule.ipproto} ≠ ${flow.proto}`;
  if (rule.sport && !inRange(rule.sport, flow.sport)) return `sport ${flow.sport} outside ${rule.sport.start}-${rule.sport.end}`;
  if (rule.dport && !inRange(rule.dport, flow.dport)) return `dport ${flow.dport} outside ${rule.dport.start}-${rule.dport.end}`;
  return undefined;
}

function ipText(flow: RuleFlow): string {
  return flow.src.value === 0n ? 'the unchosen source (a local packet is routed before its source is picked)' : 'the source';
}

function prefixHas(prefix: string, ip: IpAddr): boolean {
  const cidr = parseCidr(prefix);
  return cidr !== undefined && cidrContainsAddr(cidr, ip);
}

function inRange(range: { start: number; end: number }, port: number): boolean {
  return port >= range.start && port <= range.end;
}

/** Whether the rule selects the flow, with the reason either way; `not` inverts the whole selector. */
export function ruleMatches(rule: IpRule, flow: RuleFlow): { matched: boolean; why: string } {
  const failed = mismatch(rule, flow);
  if (rule.not) return failed === undefined ? { matched: false, why: 'selector matched, and `not` inverts it' } : { matched: true, why: `not: ${failed}` };
  return failed === undefined ? { matched: true, why: 'selector matched' } : { matched: false, why: failed };
}
