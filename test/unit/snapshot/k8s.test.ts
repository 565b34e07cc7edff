import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEndpointSlices, parseNamespaces, parseNodes, parsePods, parseServices } from '../../../src/parse/k8s.ts';

const list = (kind: string, items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind, items });

describe('parsePods', () => {
  const file = 'k8s/pods.json';
  const cases: { name: string; text: string; expected: unknown }[] = [
    {
      name: 'a Deployment pod: ReplicaSet owner followed by its Deployment, ips from podIPs, ports',
      text: list('PodList', [
        {
          metadata: {
            name: 'httpbin-6c4d9f7b8-x2x9q',
            namespace: 'default',
            uid: 'u1',
            labels: { app: 'httpbin', 'pod-template-hash': '6c4d9f7b8' },
            annotations: { 'sidecar.istio.io/status': '{}' },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'httpbin-6c4d9f7b8', uid: 'r1', controller: true }],
          },
          spec: {
            nodeName: 'node-b',
            initContainers: [{ name: 'istio-init', image: 'proxyv2' }],
            containers: [
              { name: 'httpbin', image: 'kennethreitz/httpbin', ports: [{ containerPort: 80, name: 'http' }] },
              { name: 'istio-proxy', ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }] },
            ],
          },
          status: { phase: 'Running', podIP: '10.244.2.7', podIPs: [{ ip: '10.244.2.7' }, { ip: 'fd00::7' }] },
        },
      ]),
      expected: [
        {
          name: 'httpbin-6c4d9f7b8-x2x9q',
          namespace: 'default',
          uid: 'u1',
          node: 'node-b',
          ip: '10.244.2.7',
          ips: ['10.244.2.7', 'fd00::7'],
          hostNetwork: false,
          phase: 'Running',
          labels: { app: 'httpbin', 'pod-template-hash': '6c4d9f7b8' },
          annotations: { 'sidecar.istio.io/status': '{}' },
          containers: [
            { name: 'httpbin', image: 'kennethreitz/httpbin', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] },
            { name: 'istio-proxy', image: undefined, ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }] },
          ],
          initContainers: [{ name: 'istio-init', image: 'proxyv2', ports: [] }],
          owners: [
            { kind: 'ReplicaSet', name: 'httpbin-6c4d9f7b8' },
            { kind: 'Deployment', name: 'httpbin', inferred: true },
          ],
          evidence: { file, pointer: '/items/0', text: 'Pod default/httpbin-6c4d9f7b8-x2x9q' },
        },
      ],
    },
    {
      name: 'a host-network DaemonSet pod in a kind List, items without kind, podIP only, pending pod without status',
      text: list('List', [
        {
          kind: 'Pod',
          metadata: { name: 'ztunnel-abcde', namespace: 'istio-system', ownerReferences: [{ kind: 'DaemonSet', name: 'ztunnel' }] },
          spec: { hostNetwork: true, nodeName: 'node-a', containers: [{ name: 'istio-proxy' }] },
          status: { podIP: '172.18.0.2' },
        },
        { metadata: { name: 'pending', namespace: 'default', labels: { 'pod-template-hash': 'abc' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'other-xyz' }] }, spec: { containers: [] } },
      ]),
      expected: [
        {
          name: 'ztunnel-abcde', namespace: 'istio-system', uid: undefined, node: 'node-a', ip: '172.18.0.2', ips: ['172.18.0.2'], hostNetwork: true, phase: undefined,
          labels: {}, annotations: {}, containers: [{ name: 'istio-proxy', image: undefined, ports: [] }], initContainers: [],
          owners: [{ kind: 'DaemonSet', name: 'ztunnel' }],
          evidence: { file, pointer: '/items/0', text: 'Pod istio-system/ztunnel-abcde' },
        },
        {
          name: 'pending', namespace: 'default', uid: undefined, node: undefined, ip: undefined, ips: [], hostNetwork: false, phase: undefined,
          labels: { 'pod-template-hash': 'abc' }, annotations: {}, containers: [], initContainers: [],
          owners: [{ kind: 'ReplicaSet', name: 'other-xyz' }],
          evidence: { file, pointer: '/items/1', text: 'Pod default/pending' },
        },
      ],
    },
    { name: 'an empty list', text: list('PodList', []), expected: [] },
    { name: 'items: null', text: JSON.stringify({ kind: 'List', items: null }), expected: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parsePods(c.text, file), c.expected));
});

describe('parseServices', () => {
  const file = 'k8s/services.json';
  it('reads cluster IPs, ports with numeric, named and absent targetPort, selector', () => {
    const text = list('ServiceList', [
      {
        metadata: { name: 'httpbin', namespace: 'default', labels: { app: 'httpbin' } },
        spec: {
          type: 'ClusterIP', clusterIP: '10.96.120.7', clusterIPs: ['10.96.120.7'], selector: { app: 'httpbin' },
          ports: [
            { name: 'http', port: 8000, targetPort: 80, protocol: 'TCP' },
            { name: 'grpc', port: 9000, targetPort: 'grpc', appProtocol: 'grpc' },
            { port: 53, protocol: 'UDP' },
          ],
        },
      },
      { metadata: { name: 'headless', namespace: 'db' }, spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432 }] } },
    ]);
    assert.deepEqual(parseServices(text, file), [
      {
        name: 'httpbin', namespace: 'default', type: 'ClusterIP', clusterIP: '10.96.120.7', clusterIPs: ['10.96.120.7'], selector: { app: 'httpbin' },
        ports: [
          { name: 'http', port: 8000, targetPort: 80, protocol: 'TCP', appProtocol: undefined },
          { name: 'grpc', port: 9000, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' },
          { name: undefined, port: 53, targetPort: 53, protocol: 'UDP', appProtocol: undefined },
        ],
        labels: { app: 'httpbin' }, annotations: {},
        evidence: { file, pointer: '/items/0', text: 'Service default/httpbin' },
      },
      {
        name: 'headless', namespace: 'db', type: 'ClusterIP', headless: true, clusterIP: undefined, clusterIPs: [], selector: undefined,
        ports: [{ name: undefined, port: 5432, targetPort: 5432, protocol: 'TCP', appProtocol: undefined }],
        labels: {}, annotations: {},
        evidence: { file, pointer: '/items/1', text: 'Service db/headless' },
      },
    ]);
  });
});

describe('parseEndpointSlices', () => {
  const file = 'k8s/endpointslices.json';
  it('reads the service label, ports, endpoints with readiness, pod and node', () => {
    const text = list('EndpointSliceList', [
      {
        kind: 'EndpointSlice',
        metadata: { name: 'httpbin-abc12', namespace: 'default', labels: { 'kubernetes.io/service-name': 'httpbin' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'all', port: null }],
        endpoints: [
          { addresses: ['10.244.2.7'], conditions: { ready: true }, nodeName: 'node-b', targetRef: { kind: 'Pod', name: 'httpbin-6c4d9f7b8-x2x9q', namespace: 'default' } },
          { addresses: ['10.244.3.9'], conditions: { ready: false, terminating: true } },
          { addresses: ['10.244.3.10'], conditions: {}, targetRef: { kind: 'Node', name: 'n' } },
        ],
      },
      { metadata: { name: 'empty', namespace: 'default' }, endpoints: null, ports: null },
    ]);
    assert.deepEqual(parseEndpointSlices(text, file), [
      {
        name: 'httpbin-abc12', namespace: 'default', service: 'httpbin',
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
        endpoints: [
          { addresses: ['10.244.2.7'], ready: true, pod: 'httpbin-6c4d9f7b8-x2x9q', node: 'node-b' },
          { addresses: ['10.244.3.9'], ready: false },
          { addresses: ['10.244.3.10'], ready: true },
        ],
        evidence: { file, pointer: '/items/0', text: 'EndpointSlice default/httpbin-abc12' },
      },
      { name: 'empty', namespace: 'default', service: undefined, ports: [], endpoints: [], evidence: { file, pointer: '/items/1', text: 'EndpointSlice default/empty' } },
    ]);
  });
});

describe('parseNodes and parseNamespaces', () => {
  it('reads podCIDRs, falling back to podCIDR, and addresses', () => {
    const text = list('NodeList', [
      { metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a' } }, spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24', 'fd00:1::/64'] }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'node-a' }] } },
      { metadata: { name: 'node-b' }, spec: { podCIDR: '10.244.2.0/24' } },
    ]);
    assert.deepEqual(parseNodes(text, 'k8s/nodes.json'), [
      { name: 'node-a', podCIDRs: ['10.244.1.0/24', 'fd00:1::/64'], addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'node-a' }], labels: { 'kubernetes.io/hostname': 'node-a' }, evidence: { file: 'k8s/nodes.json', pointer: '/items/0', text: 'Node node-a' } },
      { name: 'node-b', podCIDRs: ['10.244.2.0/24'], addresses: [], labels: {}, evidence: { file: 'k8s/nodes.json', pointer: '/items/1', text: 'Node node-b' } },
    ]);
  });
  it('reads namespace labels', () => {
    const text = list('NamespaceList', [{ metadata: { name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' } } }]);
    assert.deepEqual(parseNamespaces(text, 'k8s/namespaces.json'), [
      { name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient' }, annotations: {}, evidence: { file: 'k8s/namespaces.json', pointer: '/items/0', text: 'Namespace default' } },
    ]);
  });
});

describe('malformed Kubernetes lists', () => {
  const cases: { name: string; parse: (text: string, file: string) => unknown; text: string; message: string }[] = [
    { name: 'not JSON', parse: parsePods, text: '{"items": [', message: 'k8s/x.json:1: invalid JSON (Unexpected end of JSON input); expected a Kubernetes PodList (hint: the file may be truncated or not the output of the command named in the README (Snapshots))' },
    { name: 'not an object', parse: parsePods, text: '[]', message: 'k8s/x.json#: expected a Kubernetes List object, found an array (hint: k8s files hold the output of `kubectl get pods -A -o json`)' },
    { name: 'wrong list kind', parse: parsePods, text: list('ServiceList', []), message: 'k8s/x.json#/kind: expected kind List or PodList, found string "ServiceList" (hint: k8s files hold the output of `kubectl get pods -A -o json`)' },
    { name: 'item of another kind', parse: parseServices, text: list('List', [{ kind: 'Pod', metadata: { name: 'a' } }]), message: 'k8s/x.json#/items/0/kind: expected kind Service, found string "Pod" (hint: k8s files hold the output of `kubectl get services -A -o json`)' },
    { name: 'items not an array', parse: parsePods, text: JSON.stringify({ kind: 'List', items: {} }), message: 'k8s/x.json#/items: expected an array of items, found an object' },
    { name: 'no metadata', parse: parsePods, text: list('List', [{ spec: {} }]), message: 'k8s/x.json#/items/0/metadata: expected a metadata object, found nothing' },
    { name: 'numeric label', parse: parsePods, text: list('List', [{ metadata: { name: 'a', labels: { v: 1 } } }]), message: 'k8s/x.json#/items/0/metadata/labels/v: expected a string, found number 1' },
    { name: 'bad container port', parse: parsePods, text: list('List', [{ metadata: { name: 'a' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] } }]), message: 'k8s/x.json#/items/0/spec/containers/0/ports/0/containerPort: expected a port number (1-65535), found string "80"' },
    { name: 'podIPs entry not an object', parse: parsePods, text: list('List', [{ metadata: { name: 'a' }, status: { podIPs: ['10.0.0.1'] } }]), message: 'k8s/x.json#/items/0/status/podIPs/0: expected an object with ip, found string "10.0.0.1"' },
    { name: 'service port 0', parse: parseServices, text: list('List', [{ metadata: { name: 's' }, spec: { ports: [{ port: 0 }] } }]), message: 'k8s/x.json#/items/0/spec/ports/0/port: expected a port number (1-65535), found number 0' },
    { name: 'hostNetwork not boolean', parse: parsePods, text: list('List', [{ metadata: { name: 'a' }, spec: { hostNetwork: 'yes' } }]), message: 'k8s/x.json#/items/0/spec/hostNetwork: expected true or false, found string "yes"' },
    { name: 'endpoint addresses not strings', parse: parseEndpointSlices, text: list('List', [{ metadata: { name: 'e' }, endpoints: [{ addresses: [1] }] }]), message: 'k8s/x.json#/items/0/endpoints/0/addresses/0: expected an IP address, found number 1' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(() => c.parse(c.text, 'k8s/x.json'), { name: 'InputError', message: c.message });
    });
  }
});
