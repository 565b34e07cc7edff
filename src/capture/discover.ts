import type { Cluster, Pod } from '../model/k8s.ts';
import { resolveDestination, resolveSource, type Target } from '../engine/resolve.ts';
import { ResolveError } from '../engine/resolve/error.ts';
import { parseQuery, type Reading } from '../engine/resolve/query.ts';
import { parseEndpointSlices, parseNamespaces, parseNodes, parsePods, parseServices } from '../parse/k8s.ts';
import { K8S_FILES } from '../snapshot/layout.ts';
import { RESOURCES, type KubeApi, type KubeObject, type Resource, type Selector } from './api.ts';
import type { Failure } from './failure.ts';
import { CaptureError } from './failure.ts';

/** Labels Istio puts on its own pods, which is how the capture finds them without listing a node's pods. */
export const ZTUNNEL_SELECTOR = 'app=ztunnel';
export const CNI_SELECTOR = 'k8s-app=istio-cni-node';
export const WAYPOINT_SELECTOR = 'gateway.istio.io/managed=istio.io-mesh-controller';
const USE_WAYPOINT = 'istio.io/use-waypoint';
const USE_WAYPOINT_NS = 'istio.io/use-waypoint-namespace';
const GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name';

/** Everything the capture learned from the API server about its pairs, and what it is asked to collect. */
export interface Discovery {
  /** The Kubernetes objects read, as the lists `k8s/*.json` hold. */
  objects: Map<keyof typeof K8S_FILES, Map<string, KubeObject>>;
  /** Each pair as the resolver reads it, in the order asked. */
  pairs: { source: Pod; destination: Target }[];
  /** Pods whose netns and proxy config the traces may walk through. */
  pods: Pod[];
  /** Nodes of the pairs' ends (all nodes of `pods` with --all-nodes). */
  nodes: string[];
  /** istio-cni-node pod per node, where one runs. */
  cni: Map<string, Pod>;
  failures: Failure[];
}

/** One pair to find, as `trace` takes its arguments. */
export interface PairQuery {
  source: string;
  destination: string;
  namespace: string;
  port?: string;
}

export interface DiscoverOptions {
  allNamespaces: boolean;
  allNodes: boolean;
}

/** A pair that names nothing usable; `index` says which, so a caller can point at where it was stated. */
export class PairResolveError extends ResolveError {
  constructor(readonly index: number, message: string) {
    super(message);
  }
}

/**
 * Finds the pairs and everything on their paths with label and field selectors only: first the
 * names as the resolver reads them, then the selected pods, the nodes, the ztunnel and istio-cni
 * pods on those nodes and the waypoints the destinations name. Reads start as soon as what they
 * depend on is known, so the whole discovery takes a few round trips whatever the cluster's size
 * and however many pairs; what several pairs share (a source, a node, a namespace) is read once.
 */
export async function discover(api: KubeApi, queries: PairQuery[], opts: DiscoverOptions): Promise<Discovery> {
  const store = new Store();
  const failures: Failure[] = [];
  // A read that is only useful (a node's object, a namespace's labels) is recorded and skipped when it fails.
  const optional = <T>(p: Promise<T>, fallback: T): Promise<T> => p.catch((err: unknown) => {
    if (!(err instanceof CaptureError)) throw err;
    failures.push(err.failure);
    return fallback;
  });
  const nodeInfo = memo((node: string) => Promise.all([
    optional(api.get(RESOURCES.nodes, undefined, node).then((n) => n && store.add('nodes', n)), undefined),
    optional(store.list(api, RESOURCES.pods, 'pods', { fieldSelector: `spec.nodeName=${node}`, labelSelector: ZTUNNEL_SELECTOR }), []),
    optional(api.list(RESOURCES.pods, { fieldSelector: `spec.nodeName=${node}`, labelSelector: CNI_SELECTOR }), []),
  ]).then(([, ztunnels, cni]) => ({ ztunnels, cni: cni[0] })));
  const namespaceInfo = memo((ns: string) => optional(api.get(RESOURCES.namespaces, undefined, ns).then((n) => n && store.add('namespaces', n)), undefined));
  const waypointsIn = memo((ns: string) => optional(store.list(api, RESOURCES.pods, 'pods', { namespace: ns, labelSelector: WAYPOINT_SELECTOR }), []));
  // Nodes and namespaces of whatever was found are prefetched at once: the trace will need them.
  store.onPod = (pod) => {
    const spec = pod.spec as { nodeName?: string } | undefined;
    if (spec?.nodeName) void nodeInfo(spec.nodeName).catch(() => undefined);
    if (pod.metadata.namespace) void namespaceInfo(pod.metadata.namespace);
  };

  const lookups = memo((key: string) => {
    const [text, namespace] = JSON.parse(key) as [string, string];
    return lookup(api, store, text, { namespace, allNamespaces: opts.allNamespaces }, waypointsIn, namespaceInfo);
  });
  await Promise.all(queries.flatMap((q) => [q.source, q.destination].map((text) => lookups(JSON.stringify([text, q.namespace])))));
  const cluster = store.cluster();
  const pairs = queries.map((q, i) => {
    try {
      return { source: resolveSource(cluster, q.source, { namespace: q.namespace }).pod, destination: resolveDestination(cluster, q.destination, { namespace: q.namespace, port: q.port }) };
    } catch (err) {
      throw err instanceof ResolveError ? new PairResolveError(i, err.message) : err;
    }
  });

  const ends = uniquePods(pairs.flatMap((p) => [p.source, ...destinationPods(p.destination)]));
  const waypoints = (await Promise.all(pairs.map((p) => waypointsFor(p.destination, waypointsIn, namespaceInfo, store)))).flat();
  const involved = uniquePods([...ends, ...waypoints]);
  const nodesOf = (pods: Pod[]) => [...new Set(pods.map((p) => p.node).filter((n): n is string => !!n))];
  const infos = new Map(await Promise.all(nodesOf(involved).map(async (n) => [n, await nodeInfo(n)] as const)));
  await Promise.all(involved.map((p) => namespaceInfo(p.namespace)));
  const final = store.cluster();
  const ztunnels = final.pods.filter((p) => p.labels.app === 'ztunnel' && p.node && infos.has(p.node));
  const pods = uniquePods([...involved.map((p) => final.pods.find((q) => q.namespace === p.namespace && q.name === p.name) ?? p), ...ztunnels]);
  const cni = new Map<string, Pod>();
  for (const [node, info] of infos) if (info.cni) cni.set(node, parsePods(JSON.stringify({ kind: 'List', items: [info.cni] }), K8S_FILES.pods)[0]);
  const nodes = opts.allNodes ? nodesOf(pods) : nodesOf(ends);
  return { objects: store.objects, pairs, pods, nodes, cni, failures };
}

/** The reads one argument needs, by the readings the resolver will try. */
async function lookup(api: KubeApi, store: Store, text: string, opts: { namespace: string; allNamespaces: boolean }, waypointsIn: (ns: string) => Promise<unknown>, namespaceInfo: (ns: string) => Promise<unknown>): Promise<void> {
  const query = parseQuery(text);
  if (query.form === 'ip') {
    await Promise.all([
      store.list(api, RESOURCES.pods, 'pods', { fieldSelector: `status.podIP=${query.ip}` }),
      store.list(api, RESOURCES.services, 'services', { fieldSelector: `spec.clusterIP=${query.ip}` }).catch(() => []),
    ]);
    return;
  }
  await Promise.all(query.readings.map((r) => readingLookup(api, store, r, r.namespace ?? (opts.allNamespaces ? undefined : opts.namespace), waypointsIn, namespaceInfo)));
}

async function readingLookup(api: KubeApi, store: Store, r: Reading, namespace: string | undefined, waypointsIn: (ns: string) => Promise<unknown>, namespaceInfo: (ns: string) => Promise<unknown>): Promise<void> {
  const byName = `metadata.name=${r.name}`;
  const reads: Promise<unknown>[] = [];
  const want = (...kinds: (Reading['kind'] | undefined)[]) => kinds.includes(r.kind);
  if (namespace) {
    reads.push(waypointsIn(namespace), namespaceInfo(namespace));
  }
  if (want(undefined, 'pod')) reads.push(store.list(api, RESOURCES.pods, 'pods', { namespace, fieldSelector: byName }));
  if (want(undefined)) {
    reads.push(store.list(api, RESOURCES.pods, 'pods', { namespace, labelSelector: `app=${r.name}` }));
    reads.push(store.list(api, RESOURCES.pods, 'pods', { namespace, labelSelector: `app.kubernetes.io/name=${r.name}` }));
  }
  if (want(undefined, 'service')) {
    reads.push(store.list(api, RESOURCES.services, 'services', { namespace, fieldSelector: byName }).then((services) => Promise.all(services.map((s) => selected(api, store, s)))));
    reads.push(store.list(api, RESOURCES.endpointslices, 'endpointSlices', { namespace, labelSelector: `kubernetes.io/service-name=${r.name}` }));
  }
  const workloads: [Reading['kind'], Resource][] = [['deployment', RESOURCES.deployments], ['statefulset', RESOURCES.statefulsets], ['daemonset', RESOURCES.daemonsets]];
  for (const [kind, resource] of workloads) {
    if (want(undefined, kind)) reads.push(api.list(resource, { namespace, fieldSelector: byName }).then((ws) => Promise.all(ws.map((w) => selected(api, store, w)))));
  }
  await Promise.all(reads);
}

/** The pods a Service's or workload's selector picks, read with that selector. */
async function selected(api: KubeApi, store: Store, owner: KubeObject): Promise<void> {
  const spec = owner.spec as { selector?: Record<string, string> | { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } } | undefined;
  const labelSelector = selectorString(spec?.selector);
  if (labelSelector) await store.list(api, RESOURCES.pods, 'pods', { namespace: owner.metadata.namespace, labelSelector });
}

/** A Service's map or a workload's LabelSelector as the `labelSelector` query parameter; undefined when it selects nothing. */
export function selectorString(sel: unknown): string | undefined {
  if (!sel || typeof sel !== 'object') return undefined;
  const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const isLabelSelector = 'matchLabels' in s || 'matchExpressions' in s;
  const labels = isLabelSelector ? (s.matchLabels ?? {}) : (sel as Record<string, string>);
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  for (const e of (isLabelSelector ? s.matchExpressions : undefined) ?? []) {
    const values = `(${(e.values ?? []).join(',')})`;
    parts.push(e.operator === 'In' ? `${e.key} in ${values}` : e.operator === 'NotIn' ? `${e.key} notin ${values}` : e.operator === 'Exists' ? e.key : `!${e.key}`);
  }
  return parts.length ? parts.join(',') : undefined;
}

function destinationPods(t: Target): Pod[] {
  if (t.kind === 'pod') return [t.pod];
  if (t.kind === 'service') return t.endpoints.map((e) => e.pod).filter((p): p is Pod => !!p);
  return [];
}

/**
 * The waypoints on the destination's path: those its Service or namespace names with
 * `istio.io/use-waypoint` (Istio 1.22+); without that label, the namespace's waypoints (earlier
 * releases bind them by service account, which the ztunnel config then tells apart).
 */
async function waypointsFor(t: Target, waypointsIn: (ns: string) => Promise<KubeObject[]>, namespaceInfo: (ns: string) => Promise<unknown>, store: Store): Promise<Pod[]> {
  const namespace = t.kind === 'service' ? t.service.namespace : t.kind === 'pod' ? t.pod.namespace : undefined;
  if (!namespace) return [];
  await namespaceInfo(namespace);
  const ns = store.cluster().namespaces.find((n) => n.name === namespace);
  const labels = t.kind === 'service' ? t.service.labels : t.kind === 'pod' ? t.pod.labels : {};
  const named = labels[USE_WAYPOINT] ?? ns?.labels[USE_WAYPOINT];
  const where = labels[USE_WAYPOINT_NS] ?? ns?.labels[USE_WAYPOINT_NS] ?? namespace;
  if (named === 'none') return [];
  await waypointsIn(where);
  const pods = store.cluster().pods.filter((p) => p.namespace === where && p.labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller');
  return named ? pods.filter((p) => p.labels[GATEWAY_NAME] === named) : pods;
}

function uniquePods(pods: Pod[]): Pod[] {
  const seen = new Map<string, Pod>();
  for (const p of pods) if (!seen.has(`${p.namespace}/${p.name}`)) seen.set(`${p.namespace}/${p.name}`, p);
  return [...seen.values()];
}

function memo<K, V>(fn: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const cache = new Map<K, Promise<V>>();
  return (key) => {
    let p = cache.get(key);
    if (!p) cache.set(key, (p = fn(key)));
    return p;
  };
}

/** The objects read so far, deduplicated by namespace/name, and the model the resolver reads them as. */
class Store {
  readonly objects = new Map<keyof typeof K8S_FILES, Map<string, KubeObject>>();
  onPod?: (pod: KubeObject) => void;

  add(kind: keyof typeof K8S_FILES, o: KubeObject): void {
    let byId = this.objects.get(kind);
    if (!byId) this.objects.set(kind, (byId = new Map()));
    const id = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (byId.has(id)) return;
    byId.set(id, o);
    if (kind === 'pods') this.onPod?.(o);
  }

  private lists = new Map<string, Promise<KubeObject[]>>();

  /** Lists once per resource and selector: a Service's selector often repeats an `app=` lookup. */
  list(api: KubeApi, r: Resource, kind: keyof typeof K8S_FILES, sel: Selector): Promise<KubeObject[]> {
    const key = JSON.stringify([r.plural, sel.namespace, sel.labelSelector, sel.fieldSelector]);
    let p = this.lists.get(key);
    if (!p) {
      this.lists.set(key, (p = api.list(r, sel).then((items) => {
        for (const o of items) this.add(kind, o);
        return items;
      })));
    }
    return p;
  }

  cluster(): Cluster {
    const text = (kind: keyof typeof K8S_FILES) => JSON.stringify({ kind: 'List', items: [...(this.objects.get(kind)?.values() ?? [])] });
    return {
      pods: parsePods(text('pods'), K8S_FILES.pods),
      services: parseServices(text('services'), K8S_FILES.services),
      endpointSlices: parseEndpointSlices(text('endpointSlices'), K8S_FILES.endpointSlices),
      nodes: parseNodes(text('nodes'), K8S_FILES.nodes),
      namespaces: parseNamespaces(text('namespaces'), K8S_FILES.namespaces),
    };
  }
}
