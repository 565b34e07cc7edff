import type { ExampleSpec, NodeSpec, PodSpec, ServiceSpec } from '../topology.ts';
import {
  CREATED_AT,
  backendsOf,
  canonicalOf,
  minorOf,
  ownerOf,
  serviceAccountOf,
  suffixOf,
  templateHashOf,
  uuidOf,
  versionOf,
} from './names.ts';

/** `kubectl get … -A -o json` Lists for an example, with the fields a kind cluster's API server fills in. */

type Json = Record<string, unknown>;

const list = (items: Json[]): Json => ({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } });

export function podList(spec: ExampleSpec): Json {
  return list(spec.pods.map((p) => pod(spec, p)));
}

export function serviceList(spec: ExampleSpec): Json {
  return list(spec.services.map((s) => service(s)));
}

export function endpointSliceList(spec: ExampleSpec): Json {
  return list(spec.services.map((s) => endpointSlice(spec, s)));
}

export function nodeList(spec: ExampleSpec): Json {
  return list(spec.nodes.map((n) => node(spec, n)));
}

export function namespaceList(spec: ExampleSpec): Json {
  return list(
    spec.namespaces.map((ns) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns.name,
        uid: uuidOf(`namespace/${ns.name}`),
        resourceVersion: '210',
        creationTimestamp: CREATED_AT,
        labels: { 'kubernetes.io/metadata.name': ns.name, ...ns.labels },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    })),
  );
}

function pod(spec: ExampleSpec, p: PodSpec): Json {
  const node = spec.nodes.find((n) => n.name === p.node);
  if (!node) throw new Error(`${spec.name}: pod ${p.name} is on unknown node ${p.node}`);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      generateName: generateNameOf(p),
      namespace: p.namespace,
      uid: uuidOf(`pod/${p.namespace}/${p.name}`),
      resourceVersion: '1432',
      creationTimestamp: CREATED_AT,
      labels: podLabels(spec, p),
      annotations: podAnnotations(spec, p),
      ownerReferences: [ownerReference(p)],
    },
    spec: {
      serviceAccountName: serviceAccountOf(p),
      nodeName: p.node,
      ...(p.mode === 'sidecar' ? { initContainers: [sidecarInit(spec, p)] } : {}),
      containers: containersOf(spec, p),
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
    },
    status: {
      phase: 'Running',
      hostIP: node.ip,
      hostIPs: [{ ip: node.ip }],
      podIP: p.ip,
      podIPs: [{ ip: p.ip }],
      qosClass: 'BestEffort',
      startTime: CREATED_AT,
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: CREATED_AT })),
    },
  };
}

function generateNameOf(p: PodSpec): string {
  const owner = ownerOf(p);
  if (owner.kind === 'Deployment') return `${owner.name}-${templateHashOf(p)}-`;
  return `${owner.name}-`;
}

function ownerReference(p: PodSpec): Json {
  const owner = ownerOf(p);
  const controller = owner.kind === 'Deployment' ? { kind: 'ReplicaSet', name: `${owner.name}-${templateHashOf(p)}` } : owner;
  return {
    apiVersion: 'apps/v1',
    kind: controller.kind,
    name: controller.name,
    uid: uuidOf(`${controller.kind}/${p.namespace}/${controller.name}`),
    controller: true,
    blockOwnerDeletion: true,
  };
}

function podLabels(spec: ExampleSpec, p: PodSpec): Record<string, string> {
  const owner = ownerOf(p);
  const version = versionOf(p);
  const labels: Record<string, string> = { app: p.app };
  if (version) labels.version = version;
  if (owner.kind === 'Deployment') labels['pod-template-hash'] = templateHashOf(p) as string;
  if (owner.kind === 'DaemonSet') Object.assign(labels, { 'controller-revision-hash': suffixOf(`${p.namespace}/${owner.name}`, 9), 'pod-template-generation': '1' });
  if (owner.kind === 'StatefulSet') {
    Object.assign(labels, { 'controller-revision-hash': `${owner.name}-${suffixOf(owner.name, 10)}`, 'statefulset.kubernetes.io/pod-name': p.name });
  }
  if (p.mode === 'sidecar') {
    const canonical = canonicalOf(p);
    Object.assign(labels, {
      'security.istio.io/tlsMode': 'istio',
      'service.istio.io/canonical-name': canonical.name,
      'service.istio.io/canonical-revision': canonical.revision,
    });
  }
  if (p.mode === 'ztunnel') labels['sidecar.istio.io/inject'] = 'false';
  if (p.mode === 'waypoint') labels['gateway.istio.io/managed'] = 'istio.io-mesh-controller';
  // The label exists from 1.22; 1.18 bound workloads to waypoints by service account instead.
  if (p.useWaypoint && minorOf(spec) >= 22) labels['istio.io/use-waypoint'] = p.useWaypoint;
  return { ...labels, ...p.labels };
}

function podAnnotations(spec: ExampleSpec, p: PodSpec): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (p.mode === 'sidecar') {
    Object.assign(annotations, {
      'kubectl.kubernetes.io/default-container': p.app,
      'kubectl.kubernetes.io/default-logs-container': p.app,
      'prometheus.io/path': '/stats/prometheus',
      'prometheus.io/port': '15020',
      'prometheus.io/scrape': 'true',
      'sidecar.istio.io/status': JSON.stringify({
        initContainers: [sidecarInitName(spec)],
        containers: ['istio-proxy'],
        volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'],
        imagePullSecrets: null,
        revision: 'default',
      }),
    });
  }
  // In-pod and node-level ambient from 1.21 mark each captured pod; 1.18 only labels the namespace.
  if (p.mode === 'ambient' && minorOf(spec) >= 21) annotations['ambient.istio.io/redirection'] = 'enabled';
  if (p.mode === 'waypoint' || p.mode === 'ztunnel') annotations['sidecar.istio.io/inject'] = 'false';
  return { ...annotations, ...p.annotations };
}

/** istio-cni (installed by the ambient profile) replaces `istio-init` with a check-only container. */
const sidecarInitName = (spec: ExampleSpec): string => (spec.ambient ? 'istio-validation' : 'istio-init');

function sidecarInit(spec: ExampleSpec, p: PodSpec): Json {
  const backend = spec.sidecarBackend === 'nftables' ? ['--native-nftables'] : [];
  return {
    name: sidecarInitName(spec),
    image: `docker.io/istio/proxyv2:${spec.istio}`,
    args: [
      'istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020',
      '--log_output_level=default:info', ...(spec.ambient ? ['--run-validation', '--skip-rule-apply'] : []), ...backend,
    ],
    securityContext: spec.ambient
      ? { runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, allowPrivilegeEscalation: false }
      : { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] } },
    resources: {},
  };
}

function containersOf(spec: ExampleSpec, p: PodSpec): Json[] {
  const ports = (list: [string, number][]): Json[] => list.map(([name, containerPort]) => ({ ...(name ? { name } : {}), containerPort, protocol: 'TCP' }));
  switch (p.mode) {
    case 'ztunnel':
      return [{ name: 'istio-proxy', image: `docker.io/istio/ztunnel:${spec.istio}`, args: ['proxy', 'ztunnel'], ports: ports([['ztunnel-stats', 15020]]) }];
    case 'waypoint':
      return [
        {
          name: 'istio-proxy',
          image: `docker.io/istio/proxyv2:${spec.istio}`,
          args: ['proxy', 'waypoint', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--serviceCluster', `${ownerOf(p).name}.$(POD_NAMESPACE)`],
          ports: ports([['metrics', 15020], ['status-port', 15021], ['http-envoy-prom', 15090]]),
        },
      ];
    default:
      return [appContainer(p), ...(p.mode === 'sidecar' ? [istioProxy(spec, p)] : [])];
  }
}

function appContainer(p: PodSpec): Json {
  return {
    name: p.app,
    image: APP_IMAGES[p.app] ?? `docker.io/library/${p.app}:latest`,
    ports: p.appPorts.map((containerPort) => ({ containerPort, protocol: 'TCP' })),
    ...(p.uid !== undefined ? { securityContext: { runAsUser: p.uid } } : {}),
  };
}

const APP_IMAGES: Record<string, string> = {
  sleep: 'curlimages/curl:8.4.0',
  httpbin: 'docker.io/kennethreitz/httpbin',
  helloworld: 'docker.io/istio/examples-helloworld-v1:1.0',
  reviews: 'docker.io/istio/examples-bookinfo-reviews-v1:1.18.0',
  postgres: 'docker.io/library/postgres:16',
};

function istioProxy(spec: ExampleSpec, p: PodSpec): Json {
  return {
    name: 'istio-proxy',
    image: `docker.io/istio/proxyv2:${spec.istio}`,
    args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning', '--proxyComponentLogLevel=misc:error', '--log_output_level=default:info'],
    env: [
      { name: 'ISTIO_META_WORKLOAD_NAME', value: ownerOf(p).name },
      { name: 'ISTIO_META_CLUSTER_ID', value: 'Kubernetes' },
      ...(spec.ambient ? [{ name: 'ISTIO_META_ENABLE_HBONE', value: 'true' }] : []),
    ],
    ports: [
      { name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' },
    ],
    securityContext: { runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
  };
}

function service(s: ServiceSpec): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      uid: uuidOf(`service/${s.namespace}/${s.name}`),
      resourceVersion: '880',
      creationTimestamp: CREATED_AT,
      labels: { app: s.selectorApp, service: s.name, ...s.labels },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      selector: { app: s.selectorApp },
      ports: s.ports.map((port) => ({
        name: port.name,
        port: port.port,
        protocol: 'TCP',
        targetPort: port.targetPort,
        ...(port.appProtocol ? { appProtocol: port.appProtocol } : {}),
      })),
    },
    status: { loadBalancer: {} },
  };
}

function endpointSlice(spec: ExampleSpec, s: ServiceSpec): Json {
  const name = `${s.name}-${suffixOf(`${s.namespace}/${s.name}`, 5)}`;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      generateName: `${s.name}-`,
      namespace: s.namespace,
      uid: uuidOf(`endpointslice/${s.namespace}/${name}`),
      resourceVersion: '1501',
      creationTimestamp: CREATED_AT,
      labels: {
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        'kubernetes.io/service-name': s.name,
        app: s.selectorApp,
        service: s.name,
        ...s.labels,
      },
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Service', name: s.name, uid: uuidOf(`service/${s.namespace}/${s.name}`), controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType: 'IPv4',
    endpoints: backendsOf(spec, s).map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: p.node,
      targetRef: { kind: 'Pod', namespace: p.namespace, name: p.name, uid: uuidOf(`pod/${p.namespace}/${p.name}`) },
    })),
    ports: s.ports.map((port) => ({ name: port.name, port: port.targetPort, protocol: 'TCP', ...(port.appProtocol ? { appProtocol: port.appProtocol } : {}) })),
  };
}

function node(spec: ExampleSpec, n: NodeSpec): Json {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      uid: uuidOf(`node/${n.name}`),
      resourceVersion: '990',
      creationTimestamp: CREATED_AT,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
      },
    },
    spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR], providerID: `kind://docker/kind-${spec.name}/${n.name}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: n.ip },
        { type: 'Hostname', address: n.name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: CREATED_AT }],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.18',
        kernelVersion: '6.8.0-49-generic',
        kubeProxyVersion: 'v1.31.0',
        kubeletVersion: 'v1.31.0',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
      },
    },
  };
}

/** The waypoints' Gateways, with the status istiod writes once a Gateway has a ready pod. */
export function gatewayList(spec: ExampleSpec): Json {
  return list((spec.gateways ?? []).map((g) => {
    const svc = spec.services.find((s) => s.namespace === g.namespace && s.name === g.name);
    return {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: {
        name: g.name,
        namespace: g.namespace,
        uid: uuidOf(`gateway/${g.namespace}/${g.name}`),
        resourceVersion: '1210',
        generation: 1,
        creationTimestamp: CREATED_AT,
        ...(g.waypointFor ? { labels: { 'istio.io/waypoint-for': g.waypointFor } } : {}),
      },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'Same' } } }] },
      status: g.ready === false || !svc
        ? { conditions: [{ type: 'Programmed', status: 'False', reason: 'Pending', message: 'Waiting for controller', lastTransitionTime: CREATED_AT }] }
        : {
          addresses: [{ type: 'IPAddress', value: svc.clusterIP }],
          conditions: [{ type: 'Programmed', status: 'True', reason: 'Programmed', message: 'Resource programmed, assigned to service(s) ' + `${svc.name}.${svc.namespace}.svc.cluster.local:15008`, lastTransitionTime: CREATED_AT }],
        },
    };
  }));
}
