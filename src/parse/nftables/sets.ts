import { renderExpr } from './render.ts';

/** Named sets share the chain key layout, `family/table/name` (see `Ruleset.sets`). */
export function setKey(family: string, table: string, name: string): string {
  return `${family}/${table}/${name}`;
}

/**
 * Elements of a named set as strings: `10.244.1.5`, `10.0.0.0/8`, `1000-2000`, `10.0.0.1 . 80` —
 * the nft spellings, so intervals and concatenations stay visible.
 */
export function setElements(elem: unknown): string[] {
  if (elem === undefined) return [];
  return (Array.isArray(elem) ? elem : [elem]).map((e) => renderExpr(e));
}
