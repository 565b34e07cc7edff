// Grows the sidecar-iptables example into a large synthetic snapshot: thousands of Services, each with
// kube-proxy iptables-mode rules on node-a, an outbound cluster with EDS endpoints and a listener/route in
// the sleep sidecar's Envoy config dump, a Service and an EndpointSlice in k8s/. The trace sleep → httpbin
// is unchanged; everything added is what the engine must look past to find it.
import { mulberry32 } from '../test/support/seeded.ts';
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// JSON documents read from the example snapshot and edited in place.
type Obj = Record<string, any>;

export const BASE_SNAPSHOT = 'examples/sidecar-iptables';
const NODE_IPTABLES = 'nodes/node-a/iptables-save.txt';
const SLEEP_ENVOY = 'pods/default/sleep-9c7d8b6f5-k2lpx/envoy-config-dump.json';
const CLUSTER_CIDR = '10.244.0.0/16';
const NAMESPACES = 40;

/** Service ports in the mix: HTTP ones share a per-port listener and route config, TCP ones get a listener each. */
const PORTS: { port: number; name: string; targetPort: number; http: boolean }[] = [
  { port: 80, name: 'http', targetPort: 8080, http: true },
  { port: 8000, name: 'http', targetPort: 8000, http: true },
  { port: 8080, name: 'http-web', targetPort: 8080, http: true },
  { port: 9080, name: 'http', targetPort: 9080, http: true },
  { port: 5432, name: 'tcp-postgres', targetPort: 5432, http: false },
  { port: 6379, name: 'tcp-redis', targetPort: 6379, http: false },
  { port: 3306, name: 'tcp-mysql', targetPort: 3306, http: false },
  { port: 9092, name: 'tcp-kafka', targetPort: 9092, http: false },
];

export interface SyntheticService {
  name: string;
  namespace: string;
  clusterIP: string;
  port: number;
  portName: string;
  targetPort: number;
  http: boolean;
  endpoints: string[];
}

export interface SyntheticSnapshot {
  dir: string;
  services: number;
  iptablesRules: number;
  /** Sum of the sizes of every file in the snapshot. */
  bytes: number;
}

/** Deterministic services: cluster IPs from 10.100.0.1, 2–3 endpoints each on pod IPs outside node-a/node-b. */
export function syntheticServices(count: number): SyntheticService[] {
  const random = mulberry32(0x15710a7);
  const services: SyntheticService[] = [];
  let endpoint = 0;
  for (let i = 0; i < count; i++) {
    const p = PORTS[i % PORTS.length];
    const n = 2 + Math.floor(random() * 2);
    const endpoints: string[] = [];
    for (let k = 0; k < n; k++, endpoint++) endpoints.push(`10.244.${10 + Math.floor(endpoint / 254)}.${(endpoint % 254) + 1}`);
    services.push({
      name: `svc-${String(i).padStart(5, '0')}`,
      namespace: `team-${String(i % NAMESPACES).padStart(2, '0')}`,
      clusterIP: ipv4(0x0a64_0000 + i + 1),
      port: p.port,
      portName: p.name,
      targetPort: p.targetPort,
      http: p.http,
      endpoints,
    });
  }
  return services;
}

/** Writes the base example plus `count` synthetic services into `dir` (which must exist and be empty). */
export async function writeSyntheticSnapshot(root: string, dir: string, count: number): Promise<SyntheticSnapshot> {
  await cp(join(root, BASE_SNAPSHOT), dir, { recursive: true });
  const services = syntheticServices(count);

  const iptables = kubeProxyIptables(await readFile(join(dir, NODE_IPTABLES), 'utf8'), services);
  await writeFile(join(dir, NODE_IPTABLES), iptables.text);

  const envoy = JSON.parse(await readFile(join(dir, SLEEP_ENVOY), 'utf8')) as Obj;
  growEnvoy(envoy, services);
  await writeJson(join(dir, SLEEP_ENVOY), envoy);

  await growList(dir, 'k8s/services.json', (items) => services.map((s) => serviceObject(item(items, 'httpbin'), s)));
  await growList(dir, 'k8s/endpointslices.json', (items) => services.map((s) => endpointSliceObject(item(items, 'httpbin-'), s)));
  await growList(dir, 'k8s/namespaces.json', (items) =>
    Array.from({ length: Math.min(NAMESPACES, count) }, (_, i) => namespaceObject(item(items, 'default'), `team-${String(i).padStart(2, '0')}`)),
  );

  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Obj;
  meta.origin = 'synthetic';
  meta.notes = `${BASE_SNAPSHOT} grown with ${count} synthetic Services (kube-proxy rules on node-a, outbound clusters in the sleep sidecar) for npm run bench.`;
  await writeJson(join(dir, 'meta.json'), meta);

  return { dir, services: count, iptablesRules: iptables.rules, bytes: await treeBytes(dir) };
}

// ---------------------------------------------------------------- iptables (kube-proxy, iptables mode)

/**
 * Adds kube-proxy's nat rules for `services` to an `iptables-save -c` dump: KUBE-SERVICES → KUBE-SVC-<hash>
 * → KUBE-SEP-<hash> with `-m statistic` between endpoints. New KUBE-SERVICES rules go before the existing
 * ones, so a lookup of an existing Service passes every synthetic one first. Chains are printed the way
 * iptables-save does: built-in chains first, then user chains by name, each chain's rules together.
 */
export function kubeProxyIptables(base: string, services: SyntheticService[]): { text: string; rules: number } {
  const lines = base.split('\n');
  const start = lines.indexOf('*nat');
  const end = lines.indexOf('COMMIT', start);
  if (start < 0 || end < 0) throw new Error(`${NODE_IPTABLES}: expected a *nat table`);
  const counters = /^\[\d+:\d+\] /.test(lines.slice(start).find((l) => l.includes('-A ')) ?? '') ? '[0:0] ' : '';

  const builtin: string[] = [];
  const declared = new Map<string, string>();
  const rules = new Map<string, string[]>();
  for (const line of lines.slice(start + 1, end)) {
    if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(' ');
      declared.set(name, line);
      if (policy !== '-') builtin.push(name);
      rules.set(name, []);
      continue;
    }
    const chain = / -A (\S+) /.exec(` ${line.replace(/^\[\d+:\d+\] /, '')}`)?.[1];
    if (!chain) throw new Error(`${NODE_IPTABLES}: unexpected line in *nat: ${line}`);
    rules.get(chain)!.push(line);
  }

  const add = (chain: string, rule: string): void => {
    if (!rules.has(chain)) {
      rules.set(chain, []);
      declared.set(chain, `:${chain} - [0:0]`);
    }
    rules.get(chain)!.push(`${counters}-A ${chain} ${rule}`);
  };
  const portals: string[] = [];
  let added = 0;
  for (const s of services) {
    const spn = `${s.namespace}/${s.name}:${s.portName}`;
    const svc = `KUBE-SVC-${kubeHash(`${spn}tcp`)}`;
    const portal = `-d ${s.clusterIP}/32 -p tcp -m comment --comment "${spn} cluster IP" -m tcp --dport ${s.port}`;
    portals.push(`${counters}-A KUBE-SERVICES ${portal} -j ${svc}`);
    add(svc, `! -s ${CLUSTER_CIDR} ${portal} -j KUBE-MARK-MASQ`);
    added += 2;
    s.endpoints.forEach((ip, k) => {
      const dest = `${ip}:${s.targetPort}`;
      const sep = `KUBE-SEP-${kubeHash(`${spn}tcp${dest}`)}`;
      const remaining = s.endpoints.length - k;
      const statistic = remaining > 1 ? ` -m statistic --mode random --probability ${probability(1 / remaining)}` : '';
      add(svc, `-m comment --comment "${spn} -> ${dest}"${statistic} -j ${sep}`);
      add(sep, `-s ${ip}/32 -m comment --comment "${spn}" -j KUBE-MARK-MASQ`);
      add(sep, `-p tcp -m comment --comment "${spn}" -m tcp -j DNAT --to-destination ${dest}`);
      added += 3;
    });
  }
  rules.set('KUBE-SERVICES', [...portals, ...(rules.get('KUBE-SERVICES') ?? [])]);
  if (!declared.has('KUBE-SERVICES')) declared.set('KUBE-SERVICES', ':KUBE-SERVICES - [0:0]');

  const user = [...declared.keys()].filter((c) => !builtin.includes(c)).sort();
  const order = [...builtin, ...user];
  const nat = [...order.map((c) => declared.get(c)!), ...order.flatMap((c) => rules.get(c)!)];
  const text = [...lines.slice(0, start + 1), ...nat, ...lines.slice(end)].join('\n');
  return { text, rules: added };
}

/** kube-proxy's chain-name hash: the first 16 characters of base32(sha256(text)). */
function kubeHash(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of createHash('sha256').update(text).digest()) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 16) break;
  }
  return out;
}

/** What iptables-save prints for `--probability p`: the kernel keeps round(p·2³¹) and prints it back with 11 digits. */
function probability(p: number): string {
  return (Math.round(p * 0x8000_0000) / 0x8000_0000).toFixed(11);
}

// ---------------------------------------------------------------- Envoy config dump

/**
 * Adds an outbound cluster, its ClusterLoadAssignment and a listener or virtual host per service, each a
 * copy of the httpbin entry with names, addresses and ports changed. New entries go before the existing
 * ones in every list.
 */
function growEnvoy(dump: Obj, services: SyntheticService[]): void {
  const section = (type: string): Obj => {
    const found = (dump.configs as Obj[]).find((c) => c['@type'] === `type.googleapis.com/envoy.admin.v3.${type}`);
    if (!found) throw new Error(`${SLEEP_ENVOY}: no ${type}`);
    return found;
  };
  const clusters = section('ClustersConfigDump');
  const endpoints = section('EndpointsConfigDump');
  const listeners = section('ListenersConfigDump');
  const routes = section('RoutesConfigDump');

  const httpbinHost = 'httpbin.default.svc.cluster.local';
  const httpbinCluster = `outbound|8000||${httpbinHost}`;
  const clusterT = find(clusters.dynamic_active_clusters, (c) => c.cluster.name === httpbinCluster, 'httpbin cluster');
  const loadT = find(endpoints.dynamic_endpoint_configs, (e) => e.endpoint_config.cluster_name === httpbinCluster, 'httpbin endpoints');
  const listenerT = find(listeners.dynamic_listeners, (l) => l.name === '0.0.0.0_8000', 'listener 0.0.0.0_8000');
  const routeT = find(routes.dynamic_route_configs, (r) => r.route_config.name === '8000', 'route config 8000');
  const vhostT = find(routeT.route_config.virtual_hosts, (v) => v.name === `${httpbinHost}:8000`, 'httpbin virtual host');

  const newClusters: Obj[] = [];
  const newLoads: Obj[] = [];
  const newListeners: Obj[] = [];
  const newRoutes: Obj[] = [];
  const vhostsByPort = new Map<number, Obj[]>();
  for (const s of services) {
    const host = `${s.name}.${s.namespace}.svc.cluster.local`;
    const name = `outbound|${s.port}||${host}`;

    const c = clone(clusterT);
    c.cluster.name = name;
    c.cluster.eds_cluster_config.service_name = name;
    c.cluster.metadata.filter_metadata.istio = { default_original_port: s.port, services: [{ host, name: s.name, namespace: s.namespace }] };
    const tls = c.cluster.transport_socket_matches[0].transport_socket.typed_config;
    tls.common_tls_context.combined_validation_context.default_validation_context.match_subject_alt_names = [{ exact: `spiffe://cluster.local/ns/${s.namespace}/sa/${s.name}` }];
    tls.sni = `outbound_.${s.port}_._.${host}`;
    newClusters.push(c);

    const e = clone(loadT);
    e.endpoint_config.cluster_name = name;
    const lbT = loadT.endpoint_config.endpoints[0].lb_endpoints[0];
    e.endpoint_config.endpoints[0].lb_endpoints = s.endpoints.map((ip) => {
      const lb = clone(lbT);
      lb.endpoint.address.socket_address = { address: ip, port_value: s.targetPort };
      lb.metadata.filter_metadata.istio.workload = `${s.name};${s.namespace};${s.name};;Kubernetes`;
      return lb;
    });
    newLoads.push(e);

    if (s.http) {
      const v = clone(vhostT);
      v.name = `${host}:${s.port}`;
      v.domains = [host, `${s.name}.${s.namespace}.svc`, `${s.name}.${s.namespace}`, s.clusterIP];
      v.routes[0].route.cluster = name;
      v.routes[0].decorator.operation = `${host}:${s.port}/*`;
      (vhostsByPort.get(s.port) ?? vhostsByPort.set(s.port, []).get(s.port)!).push(v);
    } else {
      // A TCP service: Istio's per-service listener on <clusterIP>_<port>, straight to its cluster.
      const l = clone(listenerT);
      const listener = l.active_state.listener;
      l.name = listener.name = `${s.clusterIP}_${s.port}`;
      listener.address.socket_address = { address: s.clusterIP, port_value: s.port };
      const chain = clone(listenerT.active_state.listener.default_filter_chain);
      delete chain.name;
      const proxy = find(chain.filters, (f) => f.name === 'envoy.filters.network.tcp_proxy', 'tcp_proxy filter');
      proxy.typed_config.stat_prefix = name;
      proxy.typed_config.cluster = name;
      listener.filter_chains = [chain];
      delete listener.default_filter_chain;
      newListeners.push(l);
    }
  }

  for (const [port, vhosts] of vhostsByPort) {
    let route = (routes.dynamic_route_configs as Obj[]).find((r) => r.route_config.name === String(port));
    if (!route) {
      route = clone(routeT);
      route.route_config.name = String(port);
      route.route_config.virtual_hosts = route.route_config.virtual_hosts.filter((v: Obj) => v.name === 'allow_any');
      newRoutes.push(route);
      const l = clone(listenerT);
      const listener = l.active_state.listener;
      l.name = listener.name = `0.0.0.0_${port}`;
      listener.address.socket_address.port_value = port;
      const hcm = listener.filter_chains[0].filters[0].typed_config;
      hcm.stat_prefix = `outbound_0.0.0.0_${port}`;
      hcm.rds.route_config_name = String(port);
      newListeners.push(l);
    }
    route.route_config.virtual_hosts.unshift(...vhosts);
  }

  clusters.dynamic_active_clusters.unshift(...newClusters);
  endpoints.dynamic_endpoint_configs.unshift(...newLoads);
  listeners.dynamic_listeners.unshift(...newListeners);
  routes.dynamic_route_configs.unshift(...newRoutes);
}

// ---------------------------------------------------------------- Kubernetes objects

function serviceObject(t: Obj, s: SyntheticService): Obj {
  const o = clone(t);
  o.metadata.name = s.name;
  o.metadata.namespace = s.namespace;
  o.metadata.uid = uid(`service/${s.namespace}/${s.name}`);
  o.metadata.labels = { app: s.name, service: s.name };
  o.spec.clusterIP = s.clusterIP;
  o.spec.clusterIPs = [s.clusterIP];
  o.spec.selector = { app: s.name };
  o.spec.ports = [{ name: s.portName, port: s.port, protocol: 'TCP', targetPort: s.targetPort }];
  return o;
}

function endpointSliceObject(t: Obj, s: SyntheticService): Obj {
  const o = clone(t);
  o.metadata.name = `${s.name}-${uid(s.name).slice(0, 5)}`;
  o.metadata.generateName = `${s.name}-`;
  o.metadata.namespace = s.namespace;
  o.metadata.uid = uid(`endpointslice/${s.namespace}/${s.name}`);
  o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/service-name': s.name, app: s.name, service: s.name };
  o.metadata.ownerReferences[0].name = s.name;
  o.metadata.ownerReferences[0].uid = uid(`service/${s.namespace}/${s.name}`);
  const epT = t.endpoints[0];
  o.endpoints = s.endpoints.map((ip, k) => {
    const ep = clone(epT);
    ep.addresses = [ip];
    delete ep.nodeName;
    ep.targetRef = { kind: 'Pod', namespace: s.namespace, name: `${s.name}-${k}`, uid: uid(`pod/${s.namespace}/${s.name}-${k}`) };
    return ep;
  });
  o.ports = [{ name: s.portName, port: s.targetPort, protocol: 'TCP' }];
  return o;
}

function namespaceObject(t: Obj, name: string): Obj {
  const o = clone(t);
  o.metadata.name = name;
  o.metadata.uid = uid(`namespace/${name}`);
  o.metadata.labels = { 'kubernetes.io/metadata.name': name, 'istio-injection': 'enabled' };
  return o;
}

// ---------------------------------------------------------------- helpers

async function growList(dir: string, file: string, more: (items: Obj[]) => Obj[]): Promise<void> {
  const list = JSON.parse(await readFile(join(dir, file), 'utf8')) as Obj;
  list.items.push(...more(list.items));
  await writeJson(join(dir, file), list);
}

function item(items: Obj[], name: string): Obj {
  const found = name.endsWith('-') ? items.find((i) => i.metadata.name.startsWith(name)) : items.find((i) => i.metadata.name === name);
  if (!found) throw new Error(`no ${name} item to copy`);
  return found;
}

function find(list: Obj[], pred: (o: Obj) => boolean, what: string): Obj {
  const found = list.find(pred);
  if (!found) throw new Error(`${SLEEP_ENVOY}: no ${what} to copy`);
  return found;
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function uid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function ipv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

