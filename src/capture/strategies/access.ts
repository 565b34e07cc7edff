import type { Pod } from '../../model/k8s.ts';
import type { Failure } from '../failure.ts';

/** One network namespace to dump: a node's host netns, or a pod's own. */
export interface NetnsTarget {
  /** Snapshot folder: `nodes/<node>` or `pods/<ns>/<pod>`. */
  dir: string;
  node: string;
  /** Absent for the node's host netns. */
  pod?: Pod;
}

export interface Dumped {
  /** Snapshot-relative path → content. */
  files: Map<string, string>;
  failures: Failure[];
}

/** How netns data is read on the nodes (`--node-access`). */
export interface NodeAccess {
  name: string;
  dump(target: NetnsTarget): Promise<Dumped>;
  /** Removes whatever the strategy created; called once, also after errors and on Ctrl-C. */
  cleanup(): Promise<void>;
  /** Said once on stderr before the capture starts. */
  warning?: string;
}

export function describeTarget(t: NetnsTarget): string {
  return t.pod ? `pods/${t.pod.namespace}/${t.pod.name}` : `nodes/${t.node}`;
}

export function failed(t: NetnsTarget, call: string, error: string): Dumped {
  return { files: new Map(), failures: [{ call, object: describeTarget(t), error }] };
}
