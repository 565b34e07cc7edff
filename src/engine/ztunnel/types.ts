import type { Evidence } from '../../model/evidence.ts';
import type { ZtunnelSchema, ZWorkload } from '../../model/ztunnel.ts';

export interface Dst {
  ip: string;
  port: number;
}

/** ztunnel's HBONE listener port (`hbone_port`), where it tunnels to a destination workload. */
export const HBONE_PORT = 15008;

export interface ZStep {
  kind: 'source-workload' | 'service' | 'endpoint' | 'workload' | 'waypoint' | 'policy';
  summary: string;
  evidence: Evidence;
}

export type ZNext =
  | {
      kind: 'hbone';
      ip: string;
      /** The peer's HBONE port (15008). */
      port: number;
      /** `ip:port` the CONNECT asks for. */
      authority: string;
      via: 'waypoint' | 'destination';
      targetWorkload?: ZWorkload;
      /** 1.18–1.21 node-level ztunnel, destination on its own node: handed to its own inbound without a network hop. */
      sameNode?: true;
    }
  /** Plaintext to a workload that is not HBONE-capable. */
  | { kind: 'tcp'; ip: string; port: number; targetWorkload?: ZWorkload }
  /** Not a mesh address: connect to the original destination. */
  | { kind: 'passthrough'; ip: string; port: number }
  | { kind: 'deny'; reason: string };

/**
 * Which release's decision code to replay. The dump schema implies it, but a dump can outlive the release
 * that printed it (istioctl's 1.24 test data still has the 1.22 maps), so a caller that knows the version passes it.
 */
export type ZtunnelLogic = '1.18' | '1.19-1.21' | '1.22' | '1.23+';

export interface ZtunnelOptions {
  logic?: ZtunnelLogic;
}

export function logicFor(schema: ZtunnelSchema, opts: ZtunnelOptions | undefined): ZtunnelLogic {
  if (opts?.logic) return opts.logic;
  switch (schema) {
    case 'legacy-1.18':
      return '1.18';
    case 'by-addr-1.19':
      return '1.19-1.21';
    case 'maps-1.22':
      return '1.22';
    case 'arrays-1.23':
      return '1.23+';
  }
}

export interface ZOutboundResult {
  steps: ZStep[];
  next: ZNext;
  alternatives: ZNext[];
}

export function deny(reason: string): ZNext {
  return { kind: 'deny', reason };
}

/** Chooses one of several endpoints ztunnel would pick at random: the index to take (0 by default). */
export type Pick = (id: string, labels: string[]) => number;

/** Orders `items` with the picked one first; the rest stay in their stable order as alternatives. */
export function choose<T>(pick: Pick | undefined, id: string, items: T[], label: (t: T) => string): T[] {
  if (items.length < 2 || !pick) return items;
  const i = pick(id, items.map(label));
  const k = i >= 0 && i < items.length ? i : 0;
  return [items[k]!, ...items.slice(0, k), ...items.slice(k + 1)];
}
