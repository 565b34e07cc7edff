import type { Meta } from '../model/snapshot.ts';
import { SNAPSHOT_FORMAT } from '../model/snapshot.ts';
import type { Pod } from '../model/k8s.ts';
import { K8S_FILES, META_FILE } from '../snapshot/layout.ts';
import { KubeApi } from './api.ts';
import { discover, type Discovery } from './discover.ts';
import type { Failure } from './failure.ts';
import { connect } from './kube-config.ts';
import { DEFAULT_DEBUG_IMAGE, type CaptureFlags } from './kube-flags.ts';
import type { Progress } from './progress.ts';
import { dumpProxy, proxyOf } from './proxies.ts';
import type { NetnsTarget, NodeAccess } from './strategies/access.ts';
import { debugPodAccess } from './strategies/debug-pod.ts';
import { ephemeralAccess } from './strategies/ephemeral.ts';
import { istioCniAccess } from './strategies/istio-cni.ts';
import { noAccess } from './strategies/none.ts';
import { onNodeAccess } from './strategies/on-node.ts';

/** One pair to capture for, as `trace` takes its arguments; `namespace` overrides the request's. */
export interface CapturePair {
  source: string;
  destination: string;
  namespace?: string;
  port?: string;
}

export interface CaptureRequest {
  /** Captured together: one snapshot holds what tracing each of them needs. */
  pairs: CapturePair[];
  /** Namespace of the pairs that name none: `-n` when given; otherwise the context's, then `default`. */
  namespace?: string;
  flags: CaptureFlags;
  env: Record<string, string | undefined>;
  progress: Progress;
  warn: (text: string) => void;
}

export interface Captured {
  /** Snapshot-relative path → content, ready for writeSnapshot. */
  files: Map<string, string>;
  meta: Meta;
  api: KubeApi;
  namespace: string;
}

/**
 * Reads from the cluster what tracing these pairs needs and lays it out as one snapshot. Whatever
 * could not be read is listed in meta.json `failures` and said on stderr; the trace then infers
 * those hops.
 */
export async function capture(req: CaptureRequest): Promise<Captured> {
  req.progress.step('connecting to the API server');
  const conn = await connect(req.flags, req.env);
  const api = new KubeApi(conn);
  const namespace = req.namespace ?? conn.namespace ?? 'default';
  const [first] = req.pairs;
  req.progress.step(req.pairs.length === 1 ? `finding ${first.source} and ${first.destination}` : `finding the workloads of ${req.pairs.length} pairs`);
  const queries = req.pairs.map((p) => ({ source: p.source, destination: p.destination, namespace: p.namespace ?? namespace, port: p.port }));
  const found = await discover(api, queries, { allNamespaces: !!req.flags.allNamespaces, allNodes: !!req.flags.allNodes });
  const access = chooseAccess(req.flags, api, found, namespace);
  if (access.warning) req.warn(access.warning);

  const stop = () => void access.cleanup();
  process.once('SIGINT', stop);
  const files = new Map<string, string>();
  const failures: Failure[] = [...found.failures];
  try {
    req.progress.step(`reading ${found.nodes.length} node(s) and ${found.pods.length} pod(s) with ${access.name}`);
    const targets: NetnsTarget[] = [
      ...found.nodes.map((node) => ({ dir: `nodes/${node}`, node })),
      // A host-network pod shares its node's netns, which the node's own folder holds.
      ...found.pods.filter((p) => !p.hostNetwork && p.node).map((pod) => ({ dir: `pods/${pod.namespace}/${pod.name}`, node: pod.node!, pod })),
    ];
    const dumps = targets.map((t) => access.dump(t));
    const proxies = found.pods.flatMap((p) => {
      const kind = proxyOf(p);
      return kind ? [dumpProxy(api, p, kind)] : [];
    });
    for (const d of await Promise.all(dumps)) {
      for (const [name, text] of d.files) files.set(name, text);
      failures.push(...d.failures);
    }
    for (const p of await Promise.all(proxies)) {
      if (p.file) files.set(...p.file);
      failures.push(...p.failures);
    }
  } finally {
    process.removeListener('SIGINT', stop);
    req.progress.step('cleaning up');
    await access.cleanup();
  }
  for (const [kind, file] of Object.entries(K8S_FILES) as [keyof typeof K8S_FILES, string][]) {
    files.set(file, `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...(found.objects.get(kind)?.values() ?? [])].sort(byId) }, null, 2)}\n`);
  }
  const meta = metaOf(found, conn.context, conn.server, access.name, failures);
  files.set(META_FILE, `${JSON.stringify(meta, null, 2)}\n`);
  return { files, meta, api, namespace };
}

function chooseAccess(flags: CaptureFlags, api: KubeApi, found: Discovery, namespace: string): NodeAccess {
  const image = flags.debugImage ?? DEFAULT_DEBUG_IMAGE;
  switch (flags.nodeAccess) {
    case 'debug-pod': return debugPodAccess(api, namespace, image, api.conn.timeoutMs);
    case 'ephemeral': return ephemeralAccess(api, image, api.conn.timeoutMs);
    case 'local': return onNodeAccess(nodesOf(found));
    case 'none': return noAccess();
    case 'istio-cni': return istioCniAccess(api, found.cni);
    // The default reads through istio-cni where it runs and reads nothing (inferred hops) elsewhere.
    case undefined: return found.cni.size > 0 ? istioCniAccess(api, found.cni) : noAccess();
  }
}

function nodesOf(found: Discovery) {
  return [...(found.objects.get('nodes')?.values() ?? [])].map((n) => ({ name: n.metadata.name, podCIDRs: [], addresses: ((n.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []), labels: {}, evidence: { file: K8S_FILES.nodes } }));
}

function metaOf(found: Discovery, context: string, server: string, nodeAccess: string, failures: Failure[]): Meta {
  const version = istioVersion(found.pods);
  return {
    format: SNAPSHOT_FORMAT,
    capturedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    origin: 'live',
    cluster: { context, server },
    ...(version ? { istio: { version } } : {}),
    capture: { nodeAccess, ...pairsOf(found), filtered: true },
    ...(failures.length ? { failures } : {}),
  };
}

/** `pair` for a single pair, as a single trace records it; `pairs` when one capture serves several. */
function pairsOf(found: Discovery): { pair: string[] } | { pairs: string[][] } {
  const named = found.pairs.map((p) => [`${p.source.namespace}/${p.source.name}`, targetName(p.destination)]);
  return named.length === 1 ? { pair: named[0] } : { pairs: named };
}

function targetName(t: Discovery['pairs'][number]['destination']): string {
  if (t.kind === 'service') return `${t.service.namespace}/${t.service.name}`;
  if (t.kind === 'pod') return `${t.pod.namespace}/${t.pod.name}`;
  return t.ip;
}

/** The Istio release, from the tag of the proxy images on the path (`istio/proxyv2:1.18.2`). */
function istioVersion(pods: Pod[]): string | undefined {
  for (const p of pods) {
    for (const c of [...p.containers, ...p.initContainers]) {
      const m = /\/(?:proxyv2|ztunnel)(?:-[\w]+)?:(\d+\.\d+\.\d+[\w.-]*)$/.exec(c.image ?? '');
      if (m) return m[1];
    }
  }
  return undefined;
}

const byId = (a: { metadata: { namespace?: string; name: string } }, b: { metadata: { namespace?: string; name: string } }) =>
  `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`);
