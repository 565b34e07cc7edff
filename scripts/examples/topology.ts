/**
 * The example clusters, as data. Both example generators read this file: `kernel.ts` builds each
 * node's and pod's network namespace on this machine and dumps it with the real tools; `proxies.ts`
 * writes the Kubernetes lists and the Envoy/ztunnel config dumps that agree with it.
 * Addresses follow a kind cluster with kindnet: nodes on 172.18.0.0/16, pod CIDR 10.244.<n>.0/24 per node,
 * the node end of every pod veth holding 10.244.<n>.1/32, services on 10.96.0.0/16.
 */

export type PodMode =
  | 'none' // not in the mesh
  | 'sidecar' // istio-proxy container, istio-iptables (or istio-nftables) rules in the pod
  | 'ambient' // enrolled in ambient (node-level or in-pod per the example's generation)
  | 'ztunnel' // the ztunnel DaemonSet pod of a node
  | 'waypoint'; // a waypoint Envoy (Deployment), not captured

export interface PodSpec {
  name: string; // full pod name
  namespace: string;
  app: string; // `app` label; owner Deployment is `<app>` unless `owner` says otherwise
  owner?: { kind: 'Deployment' | 'DaemonSet' | 'StatefulSet'; name: string };
  node: string;
  ip: string;
  mode: PodMode;
  /** Ports the application container listens on. */
  appPorts: number[];
  /** App container uid (the uid its connections are made with). */
  uid?: number;
  /** For waypoints: what they serve; for ambient pods: the waypoint they use (`istio.io/use-waypoint`). */
  useWaypoint?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** An ambient pod whose in-pod rules are absent (the node-reboot case): istio-cni did not reinstall them. */
  inpodRules?: false;
  /** An ambient pod in which ztunnel holds no socket (ztunnel has not attached to it). */
  ztunnelSockets?: false;
  /** An in-pod ambient pod without the policy route (`ip rule fwmark 0x111/0xfff lookup 100`) that returns replies to ztunnel. */
  replyRule?: false;
  /** What ztunnel's config says of the pod, when it disagrees with the pod's mode (a stale workload entry). */
  ztunnelProtocol?: 'HBONE' | 'TCP';
  /** A sidecar pod's rule backends, when it holds more than the example's one (a backend switch left rules behind). */
  sidecarBackends?: ('iptables' | 'nftables')[];
  /** A sidecar pod that node-level ambient captures as well (its IP in `ztunnel-pods-ips`). */
  alsoAmbient?: true;
}

export interface ServiceSpec {
  name: string;
  namespace: string;
  clusterIP: string;
  ports: { name: string; port: number; targetPort: number; appProtocol?: string }[];
  selectorApp: string;
  labels?: Record<string, string>;
  /** Pods (by name) the Service's endpoints hold although its selector does not pick them (stale, hand-made endpoints). */
  extraBackends?: string[];
}

/** A waypoint's Gateway (`k8s/gateways.json`); `ready: false` leaves its status without an address. */
export interface GatewaySpec {
  name: string;
  namespace: string;
  waypointFor?: 'service' | 'workload' | 'all' | 'none';
  ready?: boolean;
}

export interface NodeSpec {
  name: string;
  ip: string; // InternalIP on eth0
  podCIDR: string;
}

export interface ExampleSpec {
  /** Folder under examples/. */
  name: string;
  title: string;
  istio: string; // Istio version the example stands for
  /** Data-plane generation of the ambient pods (when any) and the sidecar rules backend. */
  ambient?: 'node' | 'inpod-tproxy' | 'inpod-redirect';
  sidecarBackend?: 'iptables' | 'nftables';
  nodes: NodeSpec[];
  pods: PodSpec[];
  services: ServiceSpec[];
  namespaces: { name: string; labels: Record<string, string> }[];
  /** Extra node filter rules (iptables-restore lines for the filter table), e.g. a network policy's DROP. */
  nodeFilterRules?: Record<string, string[]>;
  /** Waypoint Gateways, written to `k8s/gateways.json` when given. */
  gateways?: GatewaySpec[];
  /** The traces the example exists to show: [source, destination] as a user types them. */
  traces: [string, string][];
}

const NODES = (n: number): NodeSpec[] =>
  Array.from({ length: n }, (_, i) => ({ name: `node-${'abcd'[i]}`, ip: `172.18.0.${i + 2}`, podCIDR: `10.244.${i + 1}.0/24` }));

const ztunnel = (node: string, n: number): PodSpec => ({
  name: `ztunnel-${node.slice(-1)}${'x7k2q'.slice(0, 4)}`, namespace: 'istio-system', app: 'ztunnel',
  owner: { kind: 'DaemonSet', name: 'ztunnel' }, node, ip: `10.244.${n}.3`, mode: 'ztunnel', appPorts: [15001, 15006, 15008, 15020, 15021, 15053],
});

const httpbinSvc: ServiceSpec = { name: 'httpbin', namespace: 'default', clusterIP: '10.96.120.7', ports: [{ name: 'http', port: 8000, targetPort: 80 }], selectorApp: 'httpbin' };
const sleepSvc: ServiceSpec = { name: 'sleep', namespace: 'default', clusterIP: '10.96.10.5', ports: [{ name: 'http', port: 80, targetPort: 80 }], selectorApp: 'sleep' };
const istioSystem = { name: 'istio-system', labels: {} };

export const EXAMPLES: ExampleSpec[] = [
  {
    name: 'ambient-1.18-sleep-to-sidecar-httpbin',
    title: 'Istio 1.18 node-level ambient sleep → sidecar httpbin (reference post, scenario 1)',
    istio: '1.18.2', ambient: 'node', sidecarBackend: 'iptables',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-6c4d9f7b8-x2x9q', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'ambient', appPorts: [], uid: 1000 },
      { name: 'httpbin-7d8f6c9b5-4kq2m', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'sidecar', appPorts: [80], uid: 1000 },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'ambient-1.18-sidecar-sleep-to-ambient',
    title: 'Istio 1.18 sidecar sleep → node-level ambient httpbin, and → helloworld through a waypoint (reference post, scenario 2)',
    istio: '1.18.2', ambient: 'node', sidecarBackend: 'iptables',
    nodes: NODES(4),
    pods: [
      { name: 'sleep-7b9f8c6d5-p8wzt', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'sidecar', appPorts: [], uid: 1000 },
      { name: 'httpbin-5c8d7f9b6-l2v7n', namespace: 'foo', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'ambient', appPorts: [80], uid: 1000 },
      { name: 'helloworld-istio-waypoint-6d9c8b7f5-zq4xr', namespace: 'foo', app: 'helloworld-istio-waypoint', owner: { kind: 'Deployment', name: 'helloworld-istio-waypoint' }, node: 'node-c', ip: '10.244.3.4', mode: 'waypoint', appPorts: [15008, 15021, 15090], labels: { 'gateway.istio.io/managed': 'istio.io-mesh-controller', 'istio.io/gateway-name': 'helloworld' } },
      { name: 'helloworld-v1-77cb56d4b4-mvk8s', namespace: 'foo', app: 'helloworld', owner: { kind: 'Deployment', name: 'helloworld-v1' }, node: 'node-d', ip: '10.244.4.6', mode: 'ambient', appPorts: [5000], uid: 1000, useWaypoint: 'helloworld' },
      ztunnel('node-a', 1), ztunnel('node-b', 2), ztunnel('node-c', 3), ztunnel('node-d', 4),
    ],
    services: [
      { ...httpbinSvc, namespace: 'foo' },
      { name: 'helloworld', namespace: 'foo', clusterIP: '10.96.88.21', ports: [{ name: 'http', port: 5000, targetPort: 5000 }], selectorApp: 'helloworld' },
      sleepSvc,
    ],
    namespaces: [{ name: 'default', labels: { 'istio-injection': 'enabled' } }, { name: 'foo', labels: { 'istio.io/dataplane-mode': 'ambient' } }, istioSystem],
    traces: [['sleep', 'httpbin.foo'], ['sleep', 'helloworld.foo']],
  },
  {
    name: 'ambient-1.24-inpod',
    title: 'Istio 1.24 in-pod ambient (REDIRECT): sleep → httpbin direct, and → reviews through a namespace waypoint',
    istio: '1.24.0', ambient: 'inpod-redirect',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-5d8c9f6b7-h4tjw', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'ambient', appPorts: [], uid: 1000 },
      { name: 'waypoint-66b59898f6-q9d2x', namespace: 'default', app: 'waypoint', owner: { kind: 'Deployment', name: 'waypoint' }, node: 'node-a', ip: '10.244.1.9', mode: 'waypoint', appPorts: [15008, 15021, 15090], labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'istio.io/dataplane-mode': 'none' } },
      { name: 'httpbin-6f4c5d8b9-8rx7p', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'ambient', appPorts: [80], uid: 1000 },
      { name: 'reviews-v1-5b8c9d7f6-w2kmn', namespace: 'default', app: 'reviews', owner: { kind: 'Deployment', name: 'reviews-v1' }, node: 'node-b', ip: '10.244.2.8', mode: 'ambient', appPorts: [9080], uid: 1000 },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [
      httpbinSvc, sleepSvc,
      { name: 'reviews', namespace: 'default', clusterIP: '10.96.55.4', ports: [{ name: 'http', port: 9080, targetPort: 9080 }], selectorApp: 'reviews', labels: { 'istio.io/use-waypoint': 'waypoint' } },
      { name: 'waypoint', namespace: 'default', clusterIP: '10.96.65.117', ports: [{ name: 'mesh', port: 15008, targetPort: 15008 }, { name: 'status-port', port: 15021, targetPort: 15021 }], selectorApp: 'waypoint', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'istio.io/waypoint-for': 'service' } },
    ],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, istioSystem],
    traces: [['sleep', 'httpbin'], ['sleep', 'reviews']],
  },
  {
    name: 'ambient-1.21-inpod-tproxy',
    title: 'Istio 1.21 in-pod ambient (TPROXY rules): sleep → httpbin',
    istio: '1.21.0', ambient: 'inpod-tproxy',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-6b7f9c8d5-n3vxq', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'ambient', appPorts: [], uid: 1000 },
      { name: 'httpbin-8d6c7f5b9-t5mzr', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'ambient', appPorts: [80], uid: 1000 },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'sidecar-iptables',
    title: 'Istio 1.24 sidecar → sidecar with iptables capture',
    istio: '1.24.0', sidecarBackend: 'iptables',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-9c7d8b6f5-k2lpx', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'sidecar', appPorts: [], uid: 1000 },
      { name: 'httpbin-5f9b8c7d6-r8qwz', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'sidecar', appPorts: [80], uid: 1000 },
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio-injection': 'enabled' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'sidecar-nftables',
    title: 'Istio 1.28 sidecar → sidecar with native nftables capture',
    istio: '1.28.0', sidecarBackend: 'nftables',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-8f6d7c9b5-m4zpt', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'sidecar', appPorts: [], uid: 1000 },
      { name: 'httpbin-6c9d8f7b5-v7nkx', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'sidecar', appPorts: [80], uid: 1000 },
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio-injection': 'enabled' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'sidecar-to-ambient-waypoint-bypass',
    title: 'Istio 1.24 sidecar sleep → in-pod ambient reviews: HBONE straight to the pod, bypassing the waypoint',
    istio: '1.24.0', ambient: 'inpod-redirect', sidecarBackend: 'iptables',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-7c8d9b6f5-d3xqv', namespace: 'legacy', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'sidecar', appPorts: [], uid: 1000 },
      { name: 'waypoint-7d9f8b6c5-s6kwp', namespace: 'default', app: 'waypoint', owner: { kind: 'Deployment', name: 'waypoint' }, node: 'node-a', ip: '10.244.1.9', mode: 'waypoint', appPorts: [15008, 15021, 15090], labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'istio.io/dataplane-mode': 'none' } },
      { name: 'reviews-v1-6d7c8f9b5-b9tnr', namespace: 'default', app: 'reviews', owner: { kind: 'Deployment', name: 'reviews-v1' }, node: 'node-b', ip: '10.244.2.8', mode: 'ambient', appPorts: [9080], uid: 1000 },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [
      { ...sleepSvc, namespace: 'legacy' },
      { name: 'reviews', namespace: 'default', clusterIP: '10.96.55.4', ports: [{ name: 'http', port: 9080, targetPort: 9080 }], selectorApp: 'reviews', labels: { 'istio.io/use-waypoint': 'waypoint' } },
      { name: 'waypoint', namespace: 'default', clusterIP: '10.96.65.117', ports: [{ name: 'mesh', port: 15008, targetPort: 15008 }, { name: 'status-port', port: 15021, targetPort: 15021 }], selectorApp: 'waypoint', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'istio.io/waypoint-for': 'service' } },
    ],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, { name: 'legacy', labels: { 'istio-injection': 'enabled' } }, istioSystem],
    traces: [['sleep.legacy', 'reviews.default']],
  },
  {
    name: 'mixed-1.24',
    title: 'Istio 1.24 in-pod ambient next to pods outside the mesh: passthrough, non-mesh → ambient, and a path a network policy drops',
    istio: '1.24.0', ambient: 'inpod-redirect',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-5d8c9f6b7-h4tjw', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'ambient', appPorts: [], uid: 1000 },
      { name: 'httpbin-6f4c5d8b9-8rx7p', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'ambient', appPorts: [80], uid: 1000 },
      { name: 'httpbin-6f4c5d8b9-zc5mk', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.11', mode: 'ambient', appPorts: [80], uid: 1000 },
      { name: 'legacy-app-7b6c5d9f8-f8gqs', namespace: 'legacy', app: 'legacy-app', node: 'node-b', ip: '10.244.2.20', mode: 'none', appPorts: [8080], uid: 1000 },
      { name: 'client-5f6d7c8b9-j7rtx', namespace: 'legacy', app: 'client', node: 'node-a', ip: '10.244.1.21', mode: 'none', appPorts: [], uid: 1000 },
      { name: 'postgres-0', namespace: 'legacy', app: 'postgres', owner: { kind: 'StatefulSet', name: 'postgres' }, node: 'node-b', ip: '10.244.2.30', mode: 'none', appPorts: [5432], uid: 999 },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [
      httpbinSvc, sleepSvc,
      { name: 'legacy-app', namespace: 'legacy', clusterIP: '10.96.77.10', ports: [{ name: 'http', port: 8080, targetPort: 8080 }], selectorApp: 'legacy-app' },
      { name: 'postgres', namespace: 'legacy', clusterIP: '10.96.77.20', ports: [{ name: 'tcp-postgres', port: 5432, targetPort: 5432 }], selectorApp: 'postgres' },
    ],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, { name: 'legacy', labels: {} }, istioSystem],
    nodeFilterRules: {
      'node-b': ['-A FORWARD -d 10.244.2.30/32 -p tcp -m tcp --dport 5432 -m comment --comment "network policy legacy/postgres-deny-all" -j DROP'],
    },
    traces: [['sleep', 'legacy-app.legacy'], ['client.legacy', 'httpbin.default'], ['sleep', 'postgres.legacy']],
  },
  // ── One example per finding code (docs/findings.md) ──
  {
    name: 'finding-capture-missing',
    title: 'Istio 1.24 in-pod ambient: sleep is annotated ambient.istio.io/redirection=enabled but its in-pod rules are gone (node reboot)',
    istio: '1.24.0', ambient: 'inpod-redirect',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-5d8c9f6b7-r9bkt', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'ambient', appPorts: [], uid: 1000, inpodRules: false },
      { name: 'httpbin-6f4c5d8b9-8rx7p', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'ambient', appPorts: [80], uid: 1000 },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'finding-capture-dead-end',
    title: 'Istio 1.24 in-pod ambient: sleep\'s rules redirect to ztunnel, but ztunnel holds no socket in the pod',
    istio: '1.24.0', ambient: 'inpod-redirect',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-5d8c9f6b7-w6hqz', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'ambient', appPorts: [], uid: 1000, ztunnelSockets: false },
      { name: 'httpbin-6f4c5d8b9-8rx7p', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'ambient', appPorts: [80], uid: 1000 },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'finding-capture-excluded',
    title: 'Istio 1.24 sidecars: sleep excludes outbound port 8000 from its sidecar (traffic.sidecar.istio.io/excludeOutboundPorts)',
    istio: '1.24.0', sidecarBackend: 'iptables',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-9c7d8b6f5-x4ncv', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'sidecar', appPorts: [], uid: 1000, annotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': '8000' } },
      { name: 'httpbin-5f9b8c7d6-r8qwz', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'sidecar', appPorts: [80], uid: 1000 },
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio-injection': 'enabled' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'finding-plaintext-between-meshed',
    title: 'Istio 1.24 in-pod ambient: ztunnel\'s config marks httpbin TCP, so sleep\'s ztunnel reaches it in plaintext although httpbin is captured',
    istio: '1.24.0', ambient: 'inpod-redirect',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-5d8c9f6b7-h4tjw', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'ambient', appPorts: [], uid: 1000 },
      { name: 'httpbin-6f4c5d8b9-m2d8s', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'ambient', appPorts: [80], uid: 1000, ztunnelProtocol: 'TCP' },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'finding-reply-misrouted',
    title: 'Istio 1.24 in-pod ambient: httpbin has lost the ip rule that sends replies back to ztunnel (fwmark 0x111/0xfff lookup 100), so the SYN-ACK to ztunnel\'s connection leaves through eth0 towards the spoofed client',
    istio: '1.24.0', ambient: 'inpod-redirect',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-5d8c9f6b7-q7vbn', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'ambient', appPorts: [], uid: 1000 },
      { name: 'httpbin-6f4c5d8b9-c4kxw', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'ambient', appPorts: [80], uid: 1000, replyRule: false },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'finding-mixed-backends',
    title: 'Istio 1.28 sidecars: sleep\'s netns holds nftables rules and, written after them, iptables rules for the same capture',
    istio: '1.28.0', sidecarBackend: 'nftables',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-8f6d7c9b5-q7wlr', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'sidecar', appPorts: [], uid: 1000, sidecarBackends: ['nftables', 'iptables'] },
      { name: 'httpbin-6c9d8f7b5-v7nkx', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'sidecar', appPorts: [80], uid: 1000 },
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio-injection': 'enabled' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'finding-double-capture',
    title: 'Istio 1.18 node-level ambient: sleep has a sidecar and is in ztunnel-pods-ips as well',
    istio: '1.18.2', ambient: 'node', sidecarBackend: 'iptables',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-6c4d9f7b8-t5vzn', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'sidecar', appPorts: [], uid: 1000, alsoAmbient: true },
      { name: 'httpbin-7d8f6c9b5-c3jxw', namespace: 'default', app: 'httpbin', node: 'node-b', ip: '10.244.2.7', mode: 'ambient', appPorts: [80], uid: 1000 },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [httpbinSvc, sleepSvc],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, istioSystem],
    traces: [['sleep', 'httpbin']],
  },
  {
    name: 'finding-waypoint-bypassed',
    title: 'Istio 1.24 in-pod ambient: reviews is labelled to use a waypoint whose Gateway is istio.io/waypoint-for=workload, so service traffic skips it',
    istio: '1.24.0', ambient: 'inpod-redirect',
    nodes: NODES(2),
    pods: [
      { name: 'sleep-5d8c9f6b7-h4tjw', namespace: 'default', app: 'sleep', node: 'node-a', ip: '10.244.1.5', mode: 'ambient', appPorts: [], uid: 1000 },
      { name: 'waypoint-66b59898f6-q9d2x', namespace: 'default', app: 'waypoint', owner: { kind: 'Deployment', name: 'waypoint' }, node: 'node-a', ip: '10.244.1.9', mode: 'waypoint', appPorts: [15008, 15021, 15090], labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'istio.io/dataplane-mode': 'none' } },
      { name: 'reviews-v1-5b8c9d7f6-w2kmn', namespace: 'default', app: 'reviews', owner: { kind: 'Deployment', name: 'reviews-v1' }, node: 'node-b', ip: '10.244.2.8', mode: 'ambient', appPorts: [9080], uid: 1000 },
      ztunnel('node-a', 1), ztunnel('node-b', 2),
    ],
    services: [
      sleepSvc,
      { name: 'reviews', namespace: 'default', clusterIP: '10.96.55.4', ports: [{ name: 'http', port: 9080, targetPort: 9080 }], selectorApp: 'reviews', labels: { 'istio.io/use-waypoint': 'waypoint' } },
      { name: 'waypoint', namespace: 'default', clusterIP: '10.96.65.117', ports: [{ name: 'mesh', port: 15008, targetPort: 15008 }, { name: 'status-port', port: 15021, targetPort: 15021 }], selectorApp: 'waypoint', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'istio.io/waypoint-for': 'workload' } },
    ],
    gateways: [{ name: 'waypoint', namespace: 'default', waypointFor: 'workload' }],
    namespaces: [{ name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } }, istioSystem],
    traces: [['sleep', 'reviews']],
  },
  {
    name: 'finding-unexpected-path',
    title: 'Pods outside the mesh: the web Service selects app=web, but its endpoints still hold the old legacy-web pod',
    istio: '1.24.0',
    nodes: NODES(2),
    pods: [
      { name: 'client-5f6d7c8b9-j7rtx', namespace: 'default', app: 'client', node: 'node-a', ip: '10.244.1.21', mode: 'none', appPorts: [], uid: 1000 },
      { name: 'legacy-web-0', namespace: 'default', app: 'legacy-web', owner: { kind: 'StatefulSet', name: 'legacy-web' }, node: 'node-b', ip: '10.244.2.40', mode: 'none', appPorts: [8080], uid: 1000 },
    ],
    services: [{ name: 'web', namespace: 'default', clusterIP: '10.96.80.80', ports: [{ name: 'http', port: 80, targetPort: 8080 }], selectorApp: 'web', extraBackends: ['legacy-web-0'] }],
    namespaces: [{ name: 'default', labels: {} }, istioSystem],
    traces: [['client', 'web']],
  },
];
