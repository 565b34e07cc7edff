import { chainKey, type NfFamily, type Rule } from '../../../src/model/netfilter.ts';
import { parseNftJson } from '../../../src/parse/nft-json.ts';

/** A whole `nft -j list ruleset` document around one rule in chain `t/c`. */
export function ruleDoc(expr: unknown[], family: NfFamily = 'inet'): string {
  return JSON.stringify({
    nftables: [
      { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
      { table: { family, name: 't', handle: 1 } },
      { chain: { family, table: 't', name: 'c', handle: 1 } },
      { rule: { family, table: 't', chain: 'c', handle: 2, expr } },
    ],
  });
}

export function parseRule(expr: unknown[], family: NfFamily = 'inet'): Rule {
  const rs = parseNftJson(ruleDoc(expr, family), 'nft.json');
  return rs.chains.get(chainKey(family, 't', 'c'))!.rules[0];
}

/** `{"match": {"op": op, "left": left, "right": right}}` */
export const match = (left: unknown, op: string, right: unknown) => ({ match: { op, left, right } });
export const meta = (key: string) => ({ meta: { key } });
export const ct = (key: string) => ({ ct: { key } });
export const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });
export const and = (a: unknown, b: unknown) => ({ '&': [a, b] });
