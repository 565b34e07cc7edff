import type { K8s } from '../../../src/model/index.ts';

/** A small two-namespace cluster covering every argument form the resolver reads. */

type PodSpec = Partial<K8s.Pod> & { name: string; namespace?: string; ports?: K8s.ContainerPort[] };

function pod({ name, namespace = 'default', ports = [], ...rest }: PodSpec): K8s.Pod {
  return {
    name,
    namespace,
    ips: rest.ip ? [rest.ip] : [],
    hostNetwork: false,
    phase: 'Running',
    labels: {},
    annotations: {},
    containers: [{ name: 'app', ports }, { name: 'istio-proxy', ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }] }],
    initContainers: [],
    owners: [],
    evidence: { file: 'k8s/pods.json', pointer: `/items/${name}` },
    ...rest,
  };
}

const deploy = (name: string, hash: string) => [{ kind: 'ReplicaSet', name: `${name}-${hash}` }, { kind: 'Deployment', name, inferred: true }];

function service(name: string, namespace: string, clusterIP: string, ports: K8s.ServicePort[], selector?: Record<string, string>): K8s.Service {
  return { name, namespace, type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], selector, ports, labels: {}, annotations: {}, evidence: { file: 'k8s/services.json', pointer: `/items/${name}` } };
}

const httpPort = { name: 'http', containerPort: 80, protocol: 'TCP' };

export const cluster: K8s.Cluster = {
  pods: [
    pod({ name: 'httpbin-6c4d9f7b8-bbbbb', ip: '10.244.3.9', node: 'node-c', labels: { app: 'httpbin' }, owners: deploy('httpbin', '6c4d9f7b8'), ports: [httpPort] }),
    pod({ name: 'httpbin-6c4d9f7b8-0old', ip: '10.244.2.7', phase: 'Succeeded', labels: { app: 'httpbin' }, owners: deploy('httpbin', '6c4d9f7b8'), ports: [httpPort] }),
    pod({ name: 'httpbin-6c4d9f7b8-aaaaa', ip: '10.244.2.7', ips: ['10.244.2.7', 'fd00::7'], node: 'node-b', labels: { app: 'httpbin' }, owners: deploy('httpbin', '6c4d9f7b8'), ports: [httpPort, { name: 'grpc', containerPort: 9090, protocol: 'TCP' }] }),
    pod({ name: 'sleep-7f8d9-abcde', ip: '10.244.1.5', labels: { app: 'sleep' }, owners: deploy('sleep', '7f8d9') }),
    pod({ name: 'web-0', ip: '10.244.1.8', labels: { 'app.kubernetes.io/name': 'web' }, owners: [{ kind: 'StatefulSet', name: 'web' }], ports: [httpPort] }),
    pod({ name: 'my.dotted', ip: '10.244.1.9' }),
    pod({ name: 'node-exporter-x', ip: '172.18.0.2', hostNetwork: true }),
    pod({ name: 'reviews-v1-5d9-xyz', namespace: 'other', ip: '10.244.4.2', labels: { app: 'reviews' }, owners: deploy('reviews-v1', '5d9') }),
    pod({ name: 'sleep-1a2b-zzzzz', namespace: 'other', ip: '10.244.4.3', labels: { app: 'sleep' }, owners: deploy('sleep', '1a2b') }),
    pod({ name: 'ztunnel-bbbbb', namespace: 'istio-system', ip: '10.244.1.2', owners: [{ kind: 'DaemonSet', name: 'ztunnel' }] }),
    pod({ name: 'ztunnel-aaaaa', namespace: 'istio-system', ip: '10.244.2.2', owners: [{ kind: 'DaemonSet', name: 'ztunnel' }] }),
  ],
  services: [
    service('httpbin', 'default', '10.96.120.7', [
      { name: 'http', port: 8000, targetPort: 80, protocol: 'TCP' },
      { name: 'grpc', port: 9000, targetPort: 'grpc', protocol: 'TCP' },
    ], { app: 'httpbin' }),
    service('sleep', 'default', '10.96.0.10', [{ port: 80, targetPort: 'http', protocol: 'TCP' }], { app: 'sleep' }),
    service('web', 'default', '10.96.0.11', [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], { 'app.kubernetes.io/name': 'web' }),
    service('empty', 'default', '10.96.0.12', []),
    service('reviews', 'other', '10.96.4.1', [{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' }], { app: 'reviews' }),
  ],
  endpointSlices: [
    {
      name: 'httpbin-x1',
      namespace: 'default',
      service: 'httpbin',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'grpc', port: 9090, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.244.3.9'], ready: false, pod: 'httpbin-6c4d9f7b8-bbbbb', node: 'node-c' },
        { addresses: ['10.244.2.7'], ready: true, pod: 'httpbin-6c4d9f7b8-aaaaa' },
      ],
      evidence: { file: 'k8s/endpointslices.json', pointer: '/items/0' },
    },
  ],
  nodes: [{ name: 'node-a', podCIDRs: ['10.244.1.0/24'], addresses: [{ type: 'InternalIP', address: '172.18.0.2' }], labels: {}, evidence: { file: 'k8s/nodes.json', pointer: '/items/0' } }],
  namespaces: ['default', 'other', 'istio-system'].map((name, i) => ({ name, labels: {}, annotations: {}, evidence: { file: 'k8s/namespaces.json', pointer: `/items/${i}` } })),
};
