import type { Evidence, Finding } from './evidence.ts';

/** The `istio-path/v1` trace contract (DESIGN.md). Fields may be added; none renamed or removed. */

export type Component = 'app' | 'kernel' | 'sidecar' | 'ztunnel' | 'waypoint';
export type HopStatus = 'observed' | 'inferred';
export type Verdict = 'delivered' | 'dropped' | 'no-route' | 'unknown';
export type LegProtocol = 'tcp' | 'mtls' | 'hbone';

export type Generation =
  | 'none'
  | 'sidecar-iptables'
  | 'sidecar-nftables'
  | 'ambient-node'
  | 'ambient-inpod-tproxy'
  | 'ambient-inpod-redirect'
  | 'ambient-inpod-nftables';

export type Mode = 'sidecar' | 'ambient' | 'none';

export interface PacketView {
  proto: string;
  src: string; // ip:port
  dst: string; // ip:port
  mark: string; // hex
  outer?: { type: string; src: string; dst: string; vni: number };
  hbone?: { authority: string; port: number };
}

export interface Hop {
  n: number;
  component: Component;
  node?: string;
  netns: string;
  where: string;
  action: string;
  packet: { before: PacketView; after: PacketView };
  status: HopStatus;
  evidence: Evidence[];
  note?: string;
}

export interface Leg {
  n: number;
  from: string;
  to: string;
  protocol: LegProtocol;
  src: string;
  dst: string;
  hops: number[];
  /** Set on a leg that follows a handshake packet back or forth: shown only when that packet is lost. */
  handshake?: { leg: number; packet: 'SYN-ACK' | 'ACK' };
}

export interface Endpointish {
  query: string;
  namespace?: string;
  pod?: string;
  ip?: string;
  node?: string;
  mode?: Mode;
  generation?: Generation;
}

export interface Trace {
  apiVersion: 'istio-path/v1';
  kind: 'Trace';
  snapshot: { path: string; capturedAt?: string; istio?: string };
  source: Endpointish;
  destination: Endpointish & { service?: string; serviceIP?: string; port?: number };
  hops: Hop[];
  legs: Leg[];
  verdict: Verdict;
  reason: string;
  alternatives: { reason: string; hops: Hop[] }[];
  findings: Finding[];
}
