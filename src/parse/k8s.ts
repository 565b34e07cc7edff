import type { Evidence } from '../model/evidence.ts';
import { InputError } from '../model/evidence.ts';
import type { Container, ContainerPort, EndpointSlice, Gateway, Namespace, Node, OwnerRef, PeerAuthentication, Pod, Service, ServiceEntry, ServicePort } from '../model/k8s.ts';
import { describe, isArray, isNumber, isObject, isString, need, parseJsonText, ptr } from './json.ts';

/**
 * `kubectl get … -o json` Lists into the K8s model. Each item keeps the pointer it came from
 * (`/items/3`); fields the tracer does not need are ignored, fields it needs are type-checked.
 */

type Obj = Record<string, unknown>;

/** The reading position inside one file, so every helper can name where a bad value sits. */
interface At {
  file: string;
  pointer: string;
}

const at = (base: At, ...tokens: (string | number)[]): At => ({ file: base.file, pointer: ptr(base.pointer, ...tokens) });

export function parsePods(text: string, file: string): Pod[] {
  return listItems(text, file, 'Pod').map(([item, where]) => pod(item, where));
}

export function parseServices(text: string, file: string): Service[] {
  return listItems(text, file, 'Service').map(([item, where]) => service(item, where));
}

export function parseEndpointSlices(text: string, file: string): EndpointSlice[] {
  return listItems(text, file, 'EndpointSlice').map(([item, where]) => endpointSlice(item, where));
}

export function parseNodes(text: string, file: string): Node[] {
  return listItems(text, file, 'Node').map(([item, where]) => node(item, where));
}

export function parseNamespaces(text: string, file: string): Namespace[] {
  return listItems(text, file, 'Namespace').map(([item, where]) => namespace(item, where));
}

export function parseServiceEntries(text: string, file: string): ServiceEntry[] {
  return listItems(text, file, 'ServiceEntry', 'serviceentries').map(([item, where]) => serviceEntry(item, where));
}

export function parsePeerAuthentications(text: string, file: string): PeerAuthentication[] {
  return listItems(text, file, 'PeerAuthentication').map(([item, where]) => peerAuthentication(item, where));
}

export function parseGateways(text: string, file: string): Gateway[] {
  return listItems(text, file, 'Gateway', 'gateways.gateway.networking.k8s.io').map(([item, where]) => gateway(item, where));
}

/** The items of a `List` or `<Kind>List`; an item that names another kind means the wrong file. */
function listItems(text: string, file: string, kind: string, resource = `${kind.toLowerCase()}s`): [Obj, At][] {
  const hint = `k8s files hold the output of \`kubectl get ${resource} -A -o json\``;
  const root = parseJsonText(text, file, `a Kubernetes ${kind}List`);
  if (!isObject(root)) throw new InputError(file, { pointer: '' }, `expected a Kubernetes List object, found ${describe(root)}`, hint);
  if (root.kind !== undefined && root.kind !== 'List' && root.kind !== `${kind}List`) {
    throw new InputError(file, { pointer: '/kind' }, `expected kind List or ${kind}List, found ${describe(root.kind)}`, hint);
  }
  const items = root.items === null ? [] : need(root.items, isArray, file, '/items', 'an array of items');
  return items.map((item, i) => {
    const where = { file, pointer: ptr('/items', i) };
    const obj = need(item, isObject, file, where.pointer, `a ${kind} object`);
    if (obj.kind !== undefined && obj.kind !== kind) {
      throw new InputError(file, { pointer: ptr(where.pointer, 'kind') }, `expected kind ${kind}, found ${describe(obj.kind)}`, hint);
    }
    return [obj, where];
  });
}

function pod(item: Obj, where: At): Pod {
  const meta = metadata(item, where);
  const spec = optObject(item.spec, at(where, 'spec'));
  const status = optObject(item.status, at(where, 'status'));
  const ip = optString(status.podIP, at(where, 'status', 'podIP'));
  const podIPs = optArray(status.podIPs, at(where, 'status', 'podIPs')).map((entry, i) => {
    const w = at(where, 'status', 'podIPs', i);
    return reqString(reqObject(entry, w, 'an object with ip').ip, at(w, 'ip'), 'an IP address');
  });
  return {
    name: meta.name,
    namespace: meta.namespace,
    uid: meta.uid,
    node: optString(spec.nodeName, at(where, 'spec', 'nodeName')),
    ip,
    ips: podIPs.length > 0 ? podIPs : ip !== undefined ? [ip] : [],
    hostNetwork: optBoolean(spec.hostNetwork, at(where, 'spec', 'hostNetwork')) ?? false,
    phase: optString(status.phase, at(where, 'status', 'phase')),
    labels: meta.labels,
    annotations: meta.annotations,
    containers: containers(spec.containers, at(where, 'spec', 'containers')),
    initContainers: containers(spec.initContainers, at(where, 'spec', 'initContainers')),
    owners: owners(meta.owners, meta.labels['pod-template-hash']),
    evidence: evidence(where, 'Pod', meta),
  };
}

/** Adds the Deployment behind a ReplicaSet owner, whose name is `<deployment>-<pod-template-hash>`. */
function owners(refs: OwnerRef[], templateHash: string | undefined): OwnerRef[] {
  return refs.flatMap((ref) => {
    const suffix = `-${templateHash}`;
    if (ref.kind !== 'ReplicaSet' || templateHash === undefined || !ref.name.endsWith(suffix) || ref.name.length === suffix.length) return [ref];
    return [ref, { kind: 'Deployment', name: ref.name.slice(0, -suffix.length), inferred: true }];
  });
}

function containers(value: unknown, where: At): Container[] {
  return optArray(value, where).map((entry, i) => {
    const w = at(where, i);
    const c = reqObject(entry, w, 'a container object');
    return {
      name: reqString(c.name, at(w, 'name'), 'the container name'),
      image: optString(c.image, at(w, 'image')),
      ports: optArray(c.ports, at(w, 'ports')).map((p, j) => containerPort(p, at(w, 'ports', j))),
    };
  });
}

function containerPort(value: unknown, where: At): ContainerPort {
  const p = reqObject(value, where, 'a container port object');
  return {
    name: optString(p.name, at(where, 'name')),
    containerPort: reqPort(p.containerPort, at(where, 'containerPort')),
    protocol: optString(p.protocol, at(where, 'protocol')) ?? 'TCP',
  };
}

function service(item: Obj, where: At): Service {
  const meta = metadata(item, where);
  const spec = optObject(item.spec, at(where, 'spec'));
  const clusterIP = optString(spec.clusterIP, at(where, 'spec', 'clusterIP'));
  const clusterIPs = optArray(spec.clusterIPs, at(where, 'spec', 'clusterIPs')).map((v, i) => reqString(v, at(where, 'spec', 'clusterIPs', i), 'an IP address'));
  const selector = spec.selector === undefined || spec.selector === null ? undefined : stringMap(spec.selector, at(where, 'spec', 'selector'));
  const headless = clusterIP === 'None';
  const ips = (clusterIPs.length > 0 ? clusterIPs : clusterIP !== undefined ? [clusterIP] : []).filter((ip) => ip !== 'None');
  return {
    name: meta.name,
    namespace: meta.namespace,
    type: optString(spec.type, at(where, 'spec', 'type')) ?? 'ClusterIP',
    ...(headless ? { headless } : {}),
    clusterIP: headless ? undefined : clusterIP,
    clusterIPs: ips,
    selector,
    ports: optArray(spec.ports, at(where, 'spec', 'ports')).map((p, i) => servicePort(p, at(where, 'spec', 'ports', i))),
    labels: meta.labels,
    annotations: meta.annotations,
    evidence: evidence(where, 'Service', meta),
  };
}

function servicePort(value: unknown, where: At): ServicePort {
  const p = reqObject(value, where, 'a service port object');
  const port = reqPort(p.port, at(where, 'port'));
  const target = p.targetPort;
  // The API server defaults an absent targetPort to the port itself.
  const targetPort = target === undefined || target === null ? port : isString(target) ? target : reqPort(target, at(where, 'targetPort'));
  return {
    name: optString(p.name, at(where, 'name')),
    port,
    targetPort,
    protocol: optString(p.protocol, at(where, 'protocol')) ?? 'TCP',
    appProtocol: optString(p.appProtocol, at(where, 'appProtocol')),
  };
}

function endpointSlice(item: Obj, where: At): EndpointSlice {
  const meta = metadata(item, where);
  return {
    name: meta.name,
    namespace: meta.namespace,
    service: meta.labels['kubernetes.io/service-name'],
    // A port without a number means "all ports" and only occurs on selector-less slices; nothing to trace to.
    ports: optArray(item.ports, at(where, 'ports')).flatMap((p, i) => {
      const w = at(where, 'ports', i);
      const o = reqObject(p, w, 'an endpoint port object');
      if (o.port === undefined || o.port === null) return [];
      return [{ name: optString(o.name, at(w, 'name')), port: reqPort(o.port, at(w, 'port')), protocol: optString(o.protocol, at(w, 'protocol')) ?? 'TCP' }];
    }),
    endpoints: optArray(item.endpoints, at(where, 'endpoints')).map((e, i) => sliceEndpoint(e, at(where, 'endpoints', i))),
    evidence: evidence(where, 'EndpointSlice', meta),
  };
}

function sliceEndpoint(value: unknown, where: At): EndpointSlice['endpoints'][number] {
  const e = reqObject(value, where, 'an endpoint object');
  const conditions = optObject(e.conditions, at(where, 'conditions'));
  const targetRef = optObject(e.targetRef, at(where, 'targetRef'));
  const pod = targetRef.kind === 'Pod' ? optString(targetRef.name, at(where, 'targetRef', 'name')) : undefined;
  const node = optString(e.nodeName, at(where, 'nodeName'));
  return {
    addresses: optArray(e.addresses, at(where, 'addresses')).map((a, i) => reqString(a, at(where, 'addresses', i), 'an IP address')),
    // The API documents an absent `ready` as unknown, to be read as ready.
    ready: optBoolean(conditions.ready, at(where, 'conditions', 'ready')) ?? true,
    ...(pod !== undefined ? { pod } : {}),
    ...(node !== undefined ? { node } : {}),
  };
}

function node(item: Obj, where: At): Node {
  const meta = metadata(item, where);
  const spec = optObject(item.spec, at(where, 'spec'));
  const status = optObject(item.status, at(where, 'status'));
  const cidrs = optArray(spec.podCIDRs, at(where, 'spec', 'podCIDRs')).map((c, i) => reqString(c, at(where, 'spec', 'podCIDRs', i), 'a CIDR'));
  const single = optString(spec.podCIDR, at(where, 'spec', 'podCIDR'));
  return {
    name: meta.name,
    podCIDRs: cidrs.length > 0 ? cidrs : single !== undefined ? [single] : [],
    addresses: optArray(status.addresses, at(where, 'status', 'addresses')).map((a, i) => {
      const w = at(where, 'status', 'addresses', i);
      const o = reqObject(a, w, 'a node address object');
      return { type: reqString(o.type, at(w, 'type'), 'the address type'), address: reqString(o.address, at(w, 'address'), 'an address') };
    }),
    labels: meta.labels,
    evidence: evidence(where, 'Node', meta),
  };
}

function namespace(item: Obj, where: At): Namespace {
  const meta = metadata(item, where);
  return { name: meta.name, labels: meta.labels, annotations: meta.annotations, evidence: evidence(where, 'Namespace', meta) };
}

function serviceEntry(item: Obj, where: At): ServiceEntry {
  const meta = metadata(item, where);
  const spec = optObject(item.spec, at(where, 'spec'));
  const strings = (key: string): string[] => optArray(spec[key], at(where, 'spec', key)).map((v, i) => reqString(v, at(where, 'spec', key, i), 'a string'));
  return {
    name: meta.name,
    namespace: meta.namespace,
    hosts: strings('hosts'),
    addresses: strings('addresses'),
    endpoints: optArray(spec.endpoints, at(where, 'spec', 'endpoints')).flatMap((e, i) => {
      const w = at(where, 'spec', 'endpoints', i);
      const address = optString(reqObject(e, w, 'an endpoint object').address, at(w, 'address'));
      return address === undefined ? [] : [address];
    }),
    ports: optArray(spec.ports, at(where, 'spec', 'ports')).map((p, i) => {
      const w = at(where, 'spec', 'ports', i);
      const o = reqObject(p, w, 'a port object');
      return { name: optString(o.name, at(w, 'name')), number: reqPort(o.number, at(w, 'number')), protocol: optString(o.protocol, at(w, 'protocol')) };
    }),
    labels: meta.labels,
    evidence: evidence(where, 'ServiceEntry', meta),
  };
}

function peerAuthentication(item: Obj, where: At): PeerAuthentication {
  const meta = metadata(item, where);
  const spec = optObject(item.spec, at(where, 'spec'));
  const selector = optObject(spec.selector, at(where, 'spec', 'selector'));
  const mtls = optObject(spec.mtls, at(where, 'spec', 'mtls'));
  const portLevel: Record<string, string> = {};
  for (const [port, value] of Object.entries(optObject(spec.portLevelMtls, at(where, 'spec', 'portLevelMtls')))) {
    const w = at(where, 'spec', 'portLevelMtls', port);
    const mode = optString(reqObject(value, w, 'an object with mode').mode, at(w, 'mode'));
    if (mode !== undefined) portLevel[port] = mode;
  }
  return {
    name: meta.name,
    namespace: meta.namespace,
    selector: selector.matchLabels === undefined || selector.matchLabels === null ? undefined : stringMap(selector.matchLabels, at(where, 'spec', 'selector', 'matchLabels')),
    mode: optString(mtls.mode, at(where, 'spec', 'mtls', 'mode')),
    portLevel,
    evidence: evidence(where, 'PeerAuthentication', meta),
  };
}

function gateway(item: Obj, where: At): Gateway {
  const meta = metadata(item, where);
  const spec = optObject(item.spec, at(where, 'spec'));
  const status = optObject(item.status, at(where, 'status'));
  return {
    name: meta.name,
    namespace: meta.namespace,
    className: reqString(spec.gatewayClassName, at(where, 'spec', 'gatewayClassName'), 'the gateway class name'),
    labels: meta.labels,
    annotations: meta.annotations,
    listeners: optArray(spec.listeners, at(where, 'spec', 'listeners')).map((l, i) => {
      const w = at(where, 'spec', 'listeners', i);
      const o = reqObject(l, w, 'a listener object');
      const routes = optObject(o.allowedRoutes, at(w, 'allowedRoutes'));
      const namespaces = optObject(routes.namespaces, at(w, 'allowedRoutes', 'namespaces'));
      return {
        name: reqString(o.name, at(w, 'name'), 'the listener name'),
        port: reqPort(o.port, at(w, 'port')),
        protocol: reqString(o.protocol, at(w, 'protocol'), 'the listener protocol'),
        allowedFrom: optString(namespaces.from, at(w, 'allowedRoutes', 'namespaces', 'from')),
      };
    }),
    addresses: optArray(status.addresses, at(where, 'status', 'addresses')).map((a, i) => {
      const w = at(where, 'status', 'addresses', i);
      return reqString(reqObject(a, w, 'an address object').value, at(w, 'value'), 'an address');
    }),
    evidence: evidence(where, 'Gateway', meta),
  };
}

interface Meta {
  name: string;
  namespace: string;
  uid?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owners: OwnerRef[];
}

function metadata(item: Obj, where: At): Meta {
  const w = at(where, 'metadata');
  const m = reqObject(item.metadata, w, 'a metadata object');
  return {
    name: reqString(m.name, at(w, 'name'), 'the object name'),
    namespace: optString(m.namespace, at(w, 'namespace')) ?? '',
    uid: optString(m.uid, at(w, 'uid')),
    labels: m.labels === undefined || m.labels === null ? {} : stringMap(m.labels, at(w, 'labels')),
    annotations: m.annotations === undefined || m.annotations === null ? {} : stringMap(m.annotations, at(w, 'annotations')),
    owners: optArray(m.ownerReferences, at(w, 'ownerReferences')).map((r, i) => {
      const rw = at(w, 'ownerReferences', i);
      const o = reqObject(r, rw, 'an owner reference object');
      return { kind: reqString(o.kind, at(rw, 'kind'), 'the owner kind'), name: reqString(o.name, at(rw, 'name'), 'the owner name') };
    }),
  };
}

function evidence(where: At, kind: string, meta: Meta): Evidence {
  return { file: where.file, pointer: where.pointer, text: `${kind} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}` };
}

function stringMap(value: unknown, where: At): Record<string, string> {
  const o = reqObject(value, where, 'a map of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) out[k] = reqString(v, at(where, k), 'a string');
  return out;
}

/** An absent or null object reads as empty: kubectl omits empty sections. */
function optObject(value: unknown, where: At): Obj {
  return value === undefined || value === null ? {} : reqObject(value, where, 'an object');
}

function optArray(value: unknown, where: At): unknown[] {
  return value === undefined || value === null ? [] : need(value, isArray, where.file, where.pointer, 'an array');
}

function optString(value: unknown, where: At): string | undefined {
  return value === undefined || value === null ? undefined : need(value, isString, where.file, where.pointer, 'a string');
}

function optBoolean(value: unknown, where: At): boolean | undefined {
  return value === undefined || value === null ? undefined : need(value, isBoolean, where.file, where.pointer, 'true or false');
}

function reqObject(value: unknown, where: At, expected: string): Obj {
  return need(value, isObject, where.file, where.pointer, expected);
}

function reqString(value: unknown, where: At, expected: string): string {
  return need(value, isString, where.file, where.pointer, expected);
}

function reqPort(value: unknown, where: At): number {
  return need(value, isPort, where.file, where.pointer, 'a port number (1-65535)');
}

const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isPort = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v >= 1 && v <= 65535;
