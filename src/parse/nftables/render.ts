import { isObject } from '../json.ts';

/**
 * A one-line nft rendering of `nft -j` expressions and statements, for evidence and for the text of
 * unsupported constructs. It aims at what a reader recognises from `nft list ruleset`, not at a byte-exact
 * round trip; anything it does not know is shown as `name <json>` so nothing is hidden.
 */

/** Keys `nft list` prints without the `meta` prefix. */
const UNQUALIFIED_META = new Set(['iif', 'oif', 'iifname', 'oifname', 'iiftype', 'oiftype', 'skuid', 'skgid', 'nftrace', 'rtclassid', 'pkttype', 'cpu', 'iifgroup', 'oifgroup', 'cgroup']);
const BINOPS = new Set(['&', '|', '^', '<<', '>>']);
const VERDICTS = new Set(['accept', 'drop', 'return', 'continue']);

/** The only key of a one-key object (`{"meta": {…}}`), or undefined. */
export function onlyKey(v: unknown): [string, unknown] | undefined {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 ? [keys[0], v[keys[0]]] : undefined;
}

export function renderRule(exprs: unknown[], handle?: number): string {
  const body = exprs.map(renderStatement).join(' ');
  return handle === undefined ? body : `${body} # handle ${handle}`;
}

export function renderStatement(stmt: unknown): string {
  const kv = onlyKey(stmt);
  if (!kv) return JSON.stringify(stmt);
  const [key, v] = kv;
  const o = isObject(v) ? v : {};
  if (VERDICTS.has(key)) return key;
  switch (key) {
    case 'match':
      return renderMatch(o);
    case 'jump':
    case 'goto':
      return `${key} ${String(o.target)}`;
    case 'counter':
      return 'counter';
    case 'mangle':
      return `${renderExpr(o.key)} set ${renderExpr(o.value, /mark$/.test(renderExpr(o.key)))}`;
    case 'redirect':
    case 'masquerade':
      return o.port === undefined ? key : `${key} to :${renderExpr(o.port)}`;
    case 'dnat':
    case 'snat':
    case 'tproxy':
      return `${key}${o.family ? ` ${String(o.family)}` : ''} to ${renderNatTarget(o)}`;
    case 'reject':
      return o.type === undefined ? 'reject' : `reject with ${String(o.type)}${o.expr === undefined ? '' : ` ${renderExpr(o.expr)}`}`;
    case 'log':
      return o.prefix === undefined ? 'log' : `log prefix ${JSON.stringify(o.prefix)}`;
    case 'notrack':
      return 'notrack';
    case 'xt':
      return `xt ${String(o.type)} ${String(o.name)}`;
    default:
      return `${key} ${JSON.stringify(v)}`;
  }
}

function renderNatTarget(o: Record<string, unknown>): string {
  const addr = o.addr === undefined ? '' : renderExpr(o.addr);
  const bracketed = addr.includes(':') && o.port !== undefined ? `[${addr}]` : addr;
  return o.port === undefined ? bracketed : `${bracketed}:${renderExpr(o.port)}`;
}

function renderMatch(o: Record<string, unknown>): string {
  const hex = BINOPS.has(onlyKey(o.left)?.[0] ?? '');
  const op = (o.op === '==' && !hex) || o.op === 'in' ? '' : `${String(o.op)} `;
  return `${renderExpr(o.left)} ${op}${renderExpr(o.right, hex)}`;
}

/** `hex` prints numbers as nft does next to bit masks. */
export function renderExpr(e: unknown, hex = false): string {
  if (typeof e === 'number') return hex ? `0x${e.toString(16)}` : String(e);
  if (typeof e === 'string') return e;
  if (Array.isArray(e)) return e.map((x) => renderExpr(x, hex)).join(',');
  const kv = onlyKey(e);
  if (!kv) return JSON.stringify(e);
  const [key, v] = kv;
  const o = isObject(v) ? v : {};
  if (BINOPS.has(key) && Array.isArray(v)) return v.map((x) => renderExpr(x, true)).join(` ${key} `);
  switch (key) {
    case 'payload':
      return o.protocol === undefined ? `@${String(o.base)},${String(o.offset)},${String(o.len)}` : `${String(o.protocol)} ${String(o.field)}`;
    case 'meta':
      return UNQUALIFIED_META.has(String(o.key)) ? String(o.key) : `meta ${String(o.key)}`;
    case 'ct':
      return o.dir === undefined ? `ct ${String(o.key)}` : `ct ${String(o.dir)} ${String(o.key)}`;
    case 'fib':
      return `fib ${Array.isArray(o.flags) ? o.flags.join(' . ') : String(o.flags)} ${String(o.result)}`;
    case 'socket':
      return `socket ${String(o.key)}`;
    case 'set':
      return `{ ${(Array.isArray(v) ? v : [v]).map((x) => renderExpr(x, hex)).join(', ')} }`;
    case 'range':
      return Array.isArray(v) ? v.map((x) => renderExpr(x, hex)).join('-') : JSON.stringify(v);
    case 'prefix':
      return `${renderExpr(o.addr)}/${renderExpr(o.len)}`;
    case 'elem':
      return renderExpr(o.val, hex);
    case 'concat':
      return Array.isArray(v) ? v.map((x) => renderExpr(x, hex)).join(' . ') : JSON.stringify(v);
    default:
      return `${key} ${JSON.stringify(v)}`;
  }
}
