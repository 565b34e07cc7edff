import type { Component, LegProtocol } from '../../model/index.ts';
import type { Edge, Vertex } from './model.ts';

/** Colours shared by every diagram output, so a sidecar looks the same in mermaid, dot and html. */
export const COMPONENT_FILL: Record<Exclude<Component, 'kernel'>, string> = {
  app: '#dbeafe',
  sidecar: '#fde8c8',
  ztunnel: '#d7f3e1',
  waypoint: '#eadcfb',
};

export const DEVICE_FILL = '#f3f4f6';
export const TUNNEL_FILL = '#fff4cc';

export const PROTOCOL_COLOR: Record<LegProtocol, string> = {
  tcp: '#374151',
  mtls: '#0f766e',
  hbone: '#7c3aed',
};

export const DROP_COLOR = '#dc2626';
export const UNKNOWN_COLOR = '#d97706';

/** What a box's caption says: a device shows its kind beside its name (`istioout · geneve`). */
export function caption(v: Vertex): string {
  return v.kind === 'device' ? `${v.label} · ${v.type}` : v.label;
}

export function edgeColor(e: Edge, endVertex: Vertex | undefined): string {
  if (e.end) return endVertex?.kind === 'end' && endVertex.verdict === 'unknown' ? UNKNOWN_COLOR : DROP_COLOR;
  return PROTOCOL_COLOR[e.protocol];
}

/** Meaning of the arrows' colours and strokes, for a legend beside the diagram. */
export const LEGEND: { label: string; color: string; dashed?: boolean }[] = [
  { label: 'plaintext TCP', color: PROTOCOL_COLOR.tcp },
  { label: 'Istio mTLS', color: PROTOCOL_COLOR.mtls },
  { label: 'HBONE (mTLS tunnel to :15008)', color: PROTOCOL_COLOR.hbone },
  { label: 'Geneve/VXLAN tunnel', color: PROTOCOL_COLOR.tcp, dashed: true },
  { label: 'dropped / no route', color: DROP_COLOR },
];
