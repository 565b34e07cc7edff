import type { Finding } from './evidence.ts';
import type { Cluster } from './k8s.ts';
import type { NetnsData } from './routing.ts';

export const SNAPSHOT_FORMAT = 'istio-path-snapshot/v1';

export interface Meta {
  format: string;
  capturedAt?: string;
  origin?: 'live' | 'example' | 'lab' | 'synthetic';
  cluster?: { context?: string; server?: string };
  istio?: { version?: string; revision?: string };
  capture?: { nodeAccess?: string; pair?: string[]; pairs?: string[][]; filtered?: boolean };
  failures?: { call: string; object?: string; error: string }[];
  notes?: string;
}

/** A snapshot read into the model: the only thing the engine sees. */
export interface Snapshot {
  /** As given by the user (directory or archive). */
  path: string;
  meta: Meta;
  k8s: Cluster;
  /** Files of `k8s/` that were absent. */
  missingK8s: string[];
  /**
   * Keyed by netns id: `node:<node>`, `pod:<namespace>/<pod>`. A reader may parse each file of a
   * netns on first access of its field, so a parse error can surface when the engine reads it.
   */
  netns: Map<string, NetnsData>;
  /** What the reader skipped and why (e.g. a symlink leaving the snapshot), for the trace's findings. */
  findings?: Finding[];
}
