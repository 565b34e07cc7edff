import { onlyKey } from './render.ts';
import { integer, UINT32 } from './values.ts';

/**
 * `value = (x & keep) ^ xor` over 32 bits: the form the kernel's nft_bitwise applies, and the one every
 * chain of `&`, `|`, `^` with constants on a single register reduces to.
 */
export interface Affine {
  keep: number;
  xor: number;
}

const IDENTITY: Affine = { keep: UINT32, xor: 0 };

/**
 * Reduces an nft value expression over `x` (recognised by `isX`) and constants to its affine form, or
 * undefined when it mixes registers or uses other operators (shifts, a second variable).
 */
export function affine(e: unknown, isX: (e: unknown) => boolean): Affine | undefined {
  if (isX(e)) return IDENTITY;
  const n = integer(e);
  if (n !== undefined) return { keep: 0, xor: n };
  const kv = onlyKey(e);
  if (!kv || !['&', '|', '^'].includes(kv[0]) || !Array.isArray(kv[1]) || kv[1].length < 2) return undefined;
  let acc = affine(kv[1][0], isX);
  for (const operand of kv[1].slice(1)) {
    const b = affine(operand, isX);
    acc = acc && b && combine(kv[0], acc, b);
  }
  return acc;
}

/** One side must be a constant: x op x has no affine form in general (and nft never prints one). */
function combine(op: string, a: Affine, b: Affine): Affine | undefined {
  const [v, c] = b.keep === 0 ? [a, b.xor] : a.keep === 0 ? [b, a.xor] : [undefined, 0];
  if (v === undefined) return undefined;
  switch (op) {
    case '&':
      return { keep: (v.keep & c) >>> 0, xor: (v.xor & c) >>> 0 };
    case '|':
      return { keep: (v.keep & ~c) >>> 0, xor: (v.xor | c) >>> 0 };
    default:
      return { keep: v.keep, xor: (v.xor ^ c) >>> 0 };
  }
}

/** The `{clear, xor}` of the model's mark actions: `(x & ~clear) ^ xor`. */
export function toClearXor(a: Affine): { clear: number; xor: number } {
  return { clear: ~a.keep >>> 0, xor: a.xor };
}
