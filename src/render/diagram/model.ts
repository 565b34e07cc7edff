import type { Component, LegProtocol, Verdict } from '../../model/index.ts';

/**
 * A trace as a picture, in the style of the reference post's figures: Kubernetes nodes as boxes
 * holding pods, pods holding the processes and devices the connection passes, and numbered arrows
 * whose numbers are the trace's hop numbers. Renderers (mermaid, dot) only lay this out.
 */
export interface Diagram {
  title: string;
  verdict: Verdict;
  reason: string;
  groups: Group[];
  vertices: Vertex[];
  edges: Edge[];
}

/** A box: a Kubernetes node (its host netns) or a pod (its own netns), nested node ⊃ pod. */
export interface Group {
  id: string;
  kind: 'node' | 'pod';
  /** `node:<node>` or `pod:<namespace>/<pod>`; a node box stands for its host netns. */
  netns: string;
  label: string;
  /** The node box holding this pod box, when the pod's node is known. */
  parent?: string;
}

export type DeviceType = 'veth' | 'geneve' | 'vxlan' | 'uplink' | 'device';

export type Vertex =
  | { id: string; kind: 'process'; group?: string; label: string; component: Exclude<Component, 'kernel'> }
  | { id: string; kind: 'device'; group?: string; label: string; type: DeviceType }
  /** Where a path that was not delivered ends. */
  | { id: string; kind: 'end'; group?: string; label: string; verdict: Exclude<Verdict, 'delivered'> };

/** How the packet moves along an edge: inside one netns, across a veth pair, a tunnel, or between nodes. */
export type EdgeKind = 'local' | 'veth' | 'tunnel' | 'wire';

export interface Edge {
  from: string;
  to: string;
  /** The hops this arrow stands for, ascending; the label is made from them. */
  hops: number[];
  label: string;
  kind: EdgeKind;
  /** The protocol of the connection on this arrow (the leg of its last hop). */
  protocol: LegProtocol;
  /** The arrow into where a dropped (or unroutable) path ends. */
  end: boolean;
}
