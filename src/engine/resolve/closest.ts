import type { Cluster } from '../../model/k8s.ts';

/** A name the user could have meant, written as an argument they can pass back. */
interface Candidate {
  arg: string;
  name: string;
  namespace: string;
}

const MAX_SUGGESTIONS = 5;

const OWNER_PREFIX: Record<string, string> = { Deployment: 'deploy', StatefulSet: 'sts', DaemonSet: 'ds' };

/**
 * Up to five names from services, workloads (pod owners) and pods, nearest by edit distance; those in
 * `namespace` first on ties, others with the `-n` they need.
 */
export function closestNames(cluster: Cluster, name: string, namespace: string): string[] {
  const limit = Math.max(2, Math.ceil(name.length / 3));
  return candidates(cluster)
    .map((c) => ({ c, d: distance(name, c.name) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d || Number(b.c.namespace === namespace) - Number(a.c.namespace === namespace))
    .slice(0, MAX_SUGGESTIONS)
    .map(({ c }) => (c.namespace === namespace ? c.arg : `${c.arg} -n ${c.namespace}`));
}

/** In a stable order (services, workloads, pods; each by namespace and name), without repeats. */
function candidates(cluster: Cluster): Candidate[] {
  const byKey = new Map<string, Candidate>();
  const add = (prefix: string, name: string, namespace: string) => byKey.set(`${namespace}\0${prefix}/${name}`, { arg: `${prefix}/${name}`, name, namespace });
  const sorted = <T extends { namespace: string; name: string }>(items: T[]) => [...items].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  for (const svc of sorted(cluster.services)) add('svc', svc.name, svc.namespace);
  for (const pod of sorted(cluster.pods)) {
    for (const owner of pod.owners) if (OWNER_PREFIX[owner.kind]) add(OWNER_PREFIX[owner.kind], owner.name, pod.namespace);
  }
  for (const pod of sorted(cluster.pods)) add('pod', pod.name, pod.namespace);
  return [...byKey.values()];
}

/** Levenshtein distance; a name that starts with what was typed counts as one edit away. */
function distance(typed: string, name: string): number {
  if (name.startsWith(typed)) return name === typed ? 0 : 1;
  let prev = Array.from({ length: name.length + 1 }, (_, j) => j);
  for (let i = 1; i <= typed.length; i++) {
    const row = [i];
    for (let j = 1; j <= name.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (typed[i - 1] === name[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[name.length];
}
