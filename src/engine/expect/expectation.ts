import type { Check, Expectation, Pair } from '../../model/index.ts';

/** How a check reads in results: the flag that asked for it. */
export function checkLabel(c: Check): string {
  switch (c.kind) {
    case 'reachable': return 'reachable';
    case 'unreachable': return 'unreachable';
    case 'via': return `via ${c.component}`;
    case 'not-via': return `not via ${c.component}`;
    case 'hbone': return 'hbone';
    case 'findings': return c.allow.length ? `no findings but ${c.allow.join(', ')}` : 'no findings';
  }
}

/** `sleep → reviews:9080`, with the namespace when it is not the default one. */
export function pairName(p: Omit<Pair, 'name'>): string {
  const port = p.port !== undefined ? `:${p.port}` : '';
  return `${p.source} → ${p.destination}${port}${p.namespace !== 'default' ? ` (-n ${p.namespace})` : ''}`;
}

/** One expectation per check, in the order given. */
export function expectationsOf(pair: Pair, checks: Check[], origin?: Expectation['origin']): Expectation[] {
  return checks.map((check) => ({ name: `${pair.name}: ${checkLabel(check)}`, pair, check, ...(origin ? { origin } : {}) }));
}
