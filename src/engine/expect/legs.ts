import type { Component, Hop, Leg, Trace } from '../../model/index.ts';

/** A leg with the components at its two ends. */
export interface LegEnds {
  leg: Leg;
  /** Who opened the connection: the source's app for the first leg, else the component the previous leg ended at. */
  from: Component | undefined;
  /** Who accepted it; undefined when no socket did (the leg was dropped or found no route). */
  to: Component | undefined;
  /** The accepting component's hops on this leg (its socket, then its proxy decision). */
  toHops: number[];
}

/**
 * Within a leg, every hop is the kernel's except those of the process that accepted the leg's
 * connection (its socket hop, then its proxy's decision) — and, on the first leg, the source app's
 * own `connect()` (hop 1). So a leg ends at the component of its non-kernel hops after hop 1, and
 * the next leg starts from there.
 */
export function legEnds(trace: Trace): LegEnds[] {
  const byN = new Map(trace.hops.map((h) => [h.n, h]));
  const first = trace.hops[0];
  const out: LegEnds[] = [];
  let from: Component | undefined = first?.component;
  // a lost handshake packet's leg is not a connection of the path
  for (const leg of trace.legs.filter((l) => !l.handshake)) {
    const accepting = leg.hops.map((n) => byN.get(n)).filter((h): h is Hop => h !== undefined && h.n !== first?.n && h.component !== 'kernel');
    const to = accepting[0]?.component;
    out.push({ leg, from, to, toHops: accepting.filter((h) => h.component === to).map((h) => h.n) });
    from = to;
  }
  return out;
}

/** `app → sidecar → ztunnel → app`, ending in the verdict when no app accepted the last leg. */
export function componentChain(trace: Trace, ends: LegEnds[]): string {
  const parts: string[] = [];
  if (ends[0]?.from) parts.push(ends[0].from);
  for (const e of ends) if (e.to) parts.push(e.to);
  if (trace.verdict !== 'delivered') parts.push(trace.verdict);
  return parts.join(' → ');
}
