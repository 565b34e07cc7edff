import type { Action, Match, PortRange } from '../../model/netfilter.ts';
import { isObject } from '../json.ts';
import { affine, toClearXor } from './bitwise.ts';
import { familyDependency, type ExprContext } from './matches.ts';
import { onlyKey, renderStatement } from './render.ts';
import { integer, ranges, UINT32 } from './values.ts';

/**
 * A statement and the family condition it implies: nat and tproxy statements bound to `ip` or `ip6` in an
 * inet table leave packets of the other family alone, exactly as if the rule had not matched.
 */
export interface Statement {
  action: Action;
  deps: Match[];
}

const NAT_FAMILIES: Record<string, 'ipv4' | 'ipv6'> = { ip: 'ipv4', ip6: 'ipv6' };

export function toStatement(key: string, value: unknown, ctx: ExprContext): Statement {
  const o = isObject(value) ? value : {};
  const unsupported: Statement = { action: { kind: 'unsupported', text: renderStatement({ [key]: value }) }, deps: [] };
  switch (key) {
    case 'accept':
    case 'drop':
    case 'return':
      return plain({ kind: key });
    case 'jump':
    case 'goto':
      return typeof o.target === 'string' ? plain({ kind: key, chain: o.target }) : unsupported;
    case 'reject':
      return plain(rejectAction(o));
    case 'counter':
      return plain({ kind: 'counter' });
    case 'log':
      return plain(typeof o.prefix === 'string' ? { kind: 'log', prefix: o.prefix } : { kind: 'log' });
    case 'notrack':
      return plain({ kind: 'ct', notrack: true });
    case 'mangle':
      return mangle(o.key, o.value) ?? unsupported;
    case 'redirect':
    case 'masquerade':
      return portsOnly(key, o.port) ?? unsupported;
    case 'dnat':
    case 'snat':
      return nat(key, o, ctx) ?? unsupported;
    case 'tproxy':
      return tproxy(o, ctx) ?? unsupported;
    default:
      return unsupported;
  }
}

const plain = (action: Action): Statement => ({ action, deps: [] });

function rejectAction(o: Record<string, unknown>): Action {
  const parts = [o.type, o.expr].filter((p): p is string => typeof p === 'string');
  return parts.length > 0 ? { kind: 'reject', with: parts.join(' ') } : { kind: 'reject' };
}

function portRange(port: unknown): PortRange | undefined {
  return ranges('==', port, 0xffff)?.[0];
}

function portsOnly(kind: 'redirect' | 'masquerade', port: unknown): Statement | undefined {
  if (port === undefined) return plain({ kind });
  const ports = portRange(port);
  return ports && plain({ kind, ports });
}

function nat(kind: 'dnat' | 'snat', o: Record<string, unknown>, ctx: ExprContext): Statement | undefined {
  if (o.addr !== undefined && typeof o.addr !== 'string') return undefined;
  const ports = o.port === undefined ? undefined : portRange(o.port);
  if (o.port !== undefined && !ports) return undefined;
  const deps = familyOf(o, ctx);
  if (!deps) return undefined;
  return { action: { kind, ...(o.addr === undefined ? {} : { addr: o.addr }), ...(ports ? { ports } : {}) }, deps };
}

/** nft tproxy does not end the rule (statements after it run), and a missing port keeps the packet's dport, as iptables' `--on-port 0`. */
function tproxy(o: Record<string, unknown>, ctx: ExprContext): Statement | undefined {
  if (o.addr !== undefined && typeof o.addr !== 'string') return undefined;
  const port = o.port === undefined ? 0 : integer(o.port, 0xffff);
  const deps = familyOf(o, ctx);
  if (port === undefined || !deps) return undefined;
  return { action: { kind: 'tproxy', port, ...(o.addr === undefined ? {} : { ip: o.addr }), nonTerminal: true }, deps };
}

function familyOf(o: Record<string, unknown>, ctx: ExprContext): Match[] | undefined {
  if (o.family === undefined) return [];
  const family = String(o.family);
  return Object.hasOwn(NAT_FAMILIES, family) ? familyDependency(NAT_FAMILIES[family], ctx) : undefined;
}

const isMeta = (key: string) => (e: unknown) => {
  const kv = onlyKey(e);
  return kv?.[0] === 'meta' && isObject(kv[1]) && kv[1].key === key;
};
const isCt = (key: string) => (e: unknown) => {
  const kv = onlyKey(e);
  return kv?.[0] === 'ct' && isObject(kv[1]) && kv[1].key === key && kv[1].dir === undefined;
};

/** `meta mark set ct mark [& m]` and `ct mark set meta mark [& m]`: the other register, optionally masked. */
function maskOfOther(value: unknown, isOther: (e: unknown) => boolean): number | undefined {
  if (isOther(value)) return UINT32;
  const kv = onlyKey(value);
  if (kv?.[0] !== '&' || !Array.isArray(kv[1]) || kv[1].length !== 2) return undefined;
  const [a, b] = kv[1];
  return isOther(a) ? integer(b) : isOther(b) ? integer(a) : undefined;
}

function mangle(key: unknown, value: unknown): Statement | undefined {
  if (isMeta('mark')(key)) {
    const ctmask = maskOfOther(value, isCt('mark'));
    if (ctmask !== undefined) return plain({ kind: 'connmark-restore', nfmask: UINT32, ctmask });
    const a = affine(value, isMeta('mark'));
    return a && plain({ kind: 'mark', ...toClearXor(a) });
  }
  if (isCt('mark')(key)) {
    const nfmask = maskOfOther(value, isMeta('mark'));
    if (nfmask !== undefined) return plain({ kind: 'connmark-save', nfmask, ctmask: UINT32 });
    const a = affine(value, isCt('mark'));
    return a && plain({ kind: 'connmark-set', ...toClearXor(a) });
  }
  if (isCt('zone')(key)) {
    const zone = integer(value, 0xffff);
    return zone === undefined ? undefined : plain({ kind: 'ct', zone });
  }
  if (isMeta('nftrace')(key) && integer(value) === 1) return plain({ kind: 'trace' });
  return undefined;
}
