import type { Evidence } from '../model/evidence.ts';
import { InputError } from '../model/evidence.ts';
import type { Container, ContainerPort, EndpointSlice, Gateway, Namespace, Node, OwnerRef, PeerAuthentication, Pod, Service, ServiceEntry, ServicePort } from '../model/k8s.ts';
import { describe, isNumber, isObject, parseJsonText, ptr } from './json.ts';

/**
 * `kubectl get … -o json` Lists into the K8s model. Each item keeps the pointer it came from
 * (`/items/3`); fields the tracer does not need are ignored, fields it needs are type-checked.
 * Every item is checked when its file is read, so a malformed one fails the read, naming its pointer.
 */

type Obj = Record<string, unknown>;
type Key = string | number;

/**
 * The reading position inside one file, so every helper can name where a bad value sits. The pointer
 * is spelled out only when an error needs it: a large cluster's lists hold tens of thousands of
 * fields, and a pointer string for each would cost more than parsing the JSON.
 */
class At {
  constructor(
    readonly file: string,
    private readonly parent: At | undefined,
    private readonly key: Key,
  ) {}

  get pointer(): string {
    return this.parent === undefined ? '' : ptr(this.parent.pointer, this.key);
  }

  at(key: Key): At {
    return new At(this.file, this, key);
  }
}

/** Throws for `value`, found at `key` of the object or array at `where`. */
function fail(value: unknown, where: At, key: Key, expected: string): never {
  throw new InputError(where.file, { pointer: ptr(where.pointer, key) }, `expected ${expected}, found ${describe(value)}`);
}

export function parsePods(text: string, file: string): Pod[] {
  return listItems(text, file, 'Pod', pod);
}

export function parseServices(text: string, file: string): Service[] {
  return listItems(text, file, 'Service', service);
}

export function parseEndpointSlices(text: string, file: string): EndpointSlice[] {
  return listItems(text, file, 'EndpointSlice', endpointSlice);
}

export function parseNodes(text: string, file: string): Node[] {
  return listItems(text, file, 'Node', node);
}

export function parseNamespaces(text: string, file: string): Namespace[] {
  return listItems(text, file, 'Namespace', namespace);
}

export function parseServiceEntries(text: string, file: string): ServiceEntry[] {
  return listItems(text, file, 'ServiceEntry', serviceEntry, 'serviceentries');
}

export function parsePeerAuthentications(text: string, file: string): PeerAuthentication[] {
  return listItems(text, file, 'PeerAuthentication', peerAuthentication);
}

export function parseGateways(text: string, file: string): Gateway[] {
  return listItems(text, file, 'Gateway', gateway, 'gateways.gateway.networking.k8s.io');
}

/** The items of a `List` or `<Kind>List`; an item that names another kind means the wrong file. */
function listItems<T>(text: string, file: string, kind: string, convert: (item: Obj, where: At, evidence: Evidence) => T, resource = `${kind.toLowerCase()}s`): T[] {
  const hint = `k8s files hold the output of \`kubectl get ${resource} -A -o json\``;
  const root = parseJsonText(text, file, `a Kubernetes ${kind}List`);
  if (!isObject(root)) throw new InputError(file, { pointer: '' }, `expected a Kubernetes List object, found ${describe(root)}`, hint);
  if (root.kind !== undefined && root.kind !== 'List' && root.kind !== `${kind}List`) {
    throw new InputError(file, { pointer: '/kind' }, `expected kind List or ${kind}List, found ${describe(root.kind)}`, hint);
  }
  const top = new At(file, undefined, '');
  const items = root.items === null ? [] : Array.isArray(root.items) ? (root.items as unknown[]) : fail(root.items, top, 'items', 'an array of items');
  const itemsAt = top.at('items');
  // Checked before any item is converted, as a wrong file is the likelier mistake than a bad field.
  for (let i = 0; i < items.length; i++) {
    const obj = items[i];
    if (!isObject(obj)) fail(obj, itemsAt, i, `a ${kind} object`);
    if (obj.kind !== undefined && obj.kind !== kind) {
      throw new InputError(file, { pointer: ptr('/items', i, 'kind') }, `expected kind ${kind}, found ${describe(obj.kind)}`, hint);
    }
  }
  const out: T[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    out[i] = convert(items[i] as Obj, itemsAt.at(i), { file, pointer: `/items/${i}`, text: kind });
  }
  return out;
}

function pod(item: Obj, where: At, evidence: Evidence): Pod {
  const meta = metadata(item, where, evidence);
  const spec = optObject(item.spec, where, 'spec');
  const status = optObject(item.status, where, 'status');
  const specAt = where.at('spec');
  const statusAt = where.at('status');
  const ip = optString(status.podIP, statusAt, 'podIP');
  const podIPs = optArray(status.podIPs, statusAt, 'podIPs');
  const ips: string[] = [];
  if (podIPs.length > 0) {
    const at = statusAt.at('podIPs');
    for (let i = 0; i < podIPs.length; i++) {
      const entry = reqObject(podIPs[i], at, i, 'an object with ip');
      ips.push(reqString(entry.ip, at.at(i), 'ip', 'an IP address'));
    }
  } else if (ip !== undefined) ips.push(ip);
  return {
    name: meta.name,
    namespace: meta.namespace,
    uid: meta.uid,
    node: optString(spec.nodeName, specAt, 'nodeName'),
    ip,
    ips,
    hostNetwork: optBoolean(spec.hostNetwork, specAt, 'hostNetwork') ?? false,
    phase: optString(status.phase, statusAt, 'phase'),
    labels: meta.labels,
    annotations: meta.annotations,
    containers: containers(spec.containers, specAt, 'containers'),
    initContainers: containers(spec.initContainers, specAt, 'initContainers'),
    owners: owners(meta.owners, meta.labels['pod-template-hash']),
    evidence,
  };
}

/** Adds the Deployment behind a ReplicaSet owner, whose name is `<deployment>-<pod-template-hash>`. */
function owners(refs: OwnerRef[], templateHash: string | undefined): OwnerRef[] {
  if (templateHash === undefined) return refs;
  const suffix = `-${templateHash}`;
  const out: OwnerRef[] = [];
  for (const ref of refs) {
    out.push(ref);
    if (ref.kind === 'ReplicaSet' && ref.name.endsWith(suffix) && ref.name.length !== suffix.length) {
      out.push({ kind: 'Deployment', name: ref.name.slice(0, -suffix.length), inferred: true });
    }
  }
  return out;
}

function containers(value: unknown, parent: At, key: string): Container[] {
  const list = optArray(value, parent, key);
  const out: Container[] = [];
  if (list.length === 0) return out;
  const at = parent.at(key);
  for (let i = 0; i < list.length; i++) {
    const c = reqObject(list[i], at, i, 'a container object');
    const w = at.at(i);
    const name = reqString(c.name, w, 'name', 'the container name');
    const image = optString(c.image, w, 'image');
    const ports = optArray(c.ports, w, 'ports');
    const portsAt = ports.length > 0 ? w.at('ports') : w;
    const cports: ContainerPort[] = [];
    for (let j = 0; j < ports.length; j++) cports.push(containerPort(ports[j], portsAt, j));
    out.push({ name, image, ports: cports });
  }
  return out;
}

function containerPort(value: unknown, parent: At, index: number): ContainerPort {
  const p = reqObject(value, parent, index, 'a container port object');
  const w = parent.at(index);
  return {
    name: optString(p.name, w, 'name'),
    containerPort: reqPort(p.containerPort, w, 'containerPort'),
    protocol: optString(p.protocol, w, 'protocol') ?? 'TCP',
  };
}

function service(item: Obj, where: At, evidence: Evidence): Service {
  const meta = metadata(item, where, evidence);
  const spec = optObject(item.spec, where, 'spec');
  const specAt = where.at('spec');
  const clusterIP = optString(spec.clusterIP, specAt, 'clusterIP');
  const clusterIPs = strings(spec.clusterIPs, specAt, 'clusterIPs', 'an IP address');
  const selector = spec.selector === undefined || spec.selector === null ? undefined : stringMap(spec.selector, specAt, 'selector');
  const ips = clusterIPs.length > 0 ? clusterIPs.filter((ip) => ip !== 'None') : clusterIP !== undefined && clusterIP !== 'None' ? [clusterIP] : [];
  const type = optString(spec.type, specAt, 'type') ?? 'ClusterIP';
  const ports = optArray(spec.ports, specAt, 'ports');
  const portsAt = ports.length > 0 ? specAt.at('ports') : specAt;
  const sports: ServicePort[] = [];
  for (let i = 0; i < ports.length; i++) sports.push(servicePort(ports[i], portsAt, i));
  const { name, namespace, labels, annotations } = meta;
  // Two literals rather than a spread of the optional key: same keys in the same order, without the slow copy.
  if (clusterIP === 'None') return { name, namespace, type, headless: true, clusterIP: undefined, clusterIPs: ips, selector, ports: sports, labels, annotations, evidence };
  return { name, namespace, type, clusterIP, clusterIPs: ips, selector, ports: sports, labels, annotations, evidence };
}

function servicePort(value: unknown, parent: At, index: number): ServicePort {
  const p = reqObject(value, parent, index, 'a service port object');
  const w = parent.at(index);
  const port = reqPort(p.port, w, 'port');
  const target = p.targetPort;
  // The API server defaults an absent targetPort to the port itself.
  const targetPort = target === undefined || target === null ? port : typeof target === 'string' ? target : reqPort(target, w, 'targetPort');
  return {
    name: optString(p.name, w, 'name'),
    port,
    targetPort,
    protocol: optString(p.protocol, w, 'protocol') ?? 'TCP',
    appProtocol: optString(p.appProtocol, w, 'appProtocol'),
  };
}

function endpointSlice(item: Obj, where: At, evidence: Evidence): EndpointSlice {
  const meta = metadata(item, where, evidence);
  const ports = optArray(item.ports, where, 'ports');
  const portsAt = ports.length > 0 ? where.at('ports') : where;
  const sports: EndpointSlice['ports'] = [];
  for (let i = 0; i < ports.length; i++) {
    const o = reqObject(ports[i], portsAt, i, 'an endpoint port object');
    // A port without a number means "all ports" and only occurs on selector-less slices; nothing to trace to.
    if (o.port === undefined || o.port === null) continue;
    const w = portsAt.at(i);
    sports.push({ name: optString(o.name, w, 'name'), port: reqPort(o.port, w, 'port'), protocol: optString(o.protocol, w, 'protocol') ?? 'TCP' });
  }
  const endpoints = optArray(item.endpoints, where, 'endpoints');
  const endpointsAt = endpoints.length > 0 ? where.at('endpoints') : where;
  const sendpoints: EndpointSlice['endpoints'] = [];
  for (let i = 0; i < endpoints.length; i++) sendpoints.push(sliceEndpoint(endpoints[i], endpointsAt, i));
  return {
    name: meta.name,
    namespace: meta.namespace,
    service: meta.labels['kubernetes.io/service-name'],
    ports: sports,
    endpoints: sendpoints,
    evidence,
  };
}

function sliceEndpoint(value: unknown, parent: At, index: number): EndpointSlice['endpoints'][number] {
  const e = reqObject(value, parent, index, 'an endpoint object');
  const w = parent.at(index);
  const conditions = optObject(e.conditions, w, 'conditions');
  const targetRef = optObject(e.targetRef, w, 'targetRef');
  const pod = targetRef.kind === 'Pod' ? optString(targetRef.name, w.at('targetRef'), 'name') : undefined;
  const node = optString(e.nodeName, w, 'nodeName');
  const addresses = strings(e.addresses, w, 'addresses', 'an IP address');
  // The API documents an absent `ready` as unknown, to be read as ready.
  const ready = optBoolean(conditions.ready, w.at('conditions'), 'ready') ?? true;
  if (pod !== undefined && node !== undefined) return { addresses, ready, pod, node };
  if (pod !== undefined) return { addresses, ready, pod };
  if (node !== undefined) return { addresses, ready, node };
  return { addresses, ready };
}

function node(item: Obj, where: At, evidence: Evidence): Node {
  const meta = metadata(item, where, evidence);
  const spec = optObject(item.spec, where, 'spec');
  const status = optObject(item.status, where, 'status');
  const specAt = where.at('spec');
  const cidrs = strings(spec.podCIDRs, specAt, 'podCIDRs', 'a CIDR');
  const single = optString(spec.podCIDR, specAt, 'podCIDR');
  const statusAt = where.at('status');
  const list = optArray(status.addresses, statusAt, 'addresses');
  const listAt = statusAt.at('addresses');
  const addresses: Node['addresses'] = [];
  for (let i = 0; i < list.length; i++) {
    const o = reqObject(list[i], listAt, i, 'a node address object');
    const w = listAt.at(i);
    addresses.push({ type: reqString(o.type, w, 'type', 'the address type'), address: reqString(o.address, w, 'address', 'an address') });
  }
  return {
    name: meta.name,
    podCIDRs: cidrs.length > 0 ? cidrs : single !== undefined ? [single] : [],
    addresses,
    labels: meta.labels,
    evidence,
  };
}

function namespace(item: Obj, where: At, evidence: Evidence): Namespace {
  const meta = metadata(item, where, evidence);
  return { name: meta.name, labels: meta.labels, annotations: meta.annotations, evidence };
}

function serviceEntry(item: Obj, where: At, evidence: Evidence): ServiceEntry {
  const meta = metadata(item, where, evidence);
  const spec = optObject(item.spec, where, 'spec');
  const specAt = where.at('spec');
  const hosts = strings(spec.hosts, specAt, 'hosts', 'a string');
  const addresses = strings(spec.addresses, specAt, 'addresses', 'a string');
  const endpointList = optArray(spec.endpoints, specAt, 'endpoints');
  const endpointsAt = specAt.at('endpoints');
  const endpoints: string[] = [];
  for (let i = 0; i < endpointList.length; i++) {
    const address = optString(reqObject(endpointList[i], endpointsAt, i, 'an endpoint object').address, endpointsAt.at(i), 'address');
    if (address !== undefined) endpoints.push(address);
  }
  const portList = optArray(spec.ports, specAt, 'ports');
  const portsAt = specAt.at('ports');
  const ports: ServiceEntry['ports'] = [];
  for (let i = 0; i < portList.length; i++) {
    const o = reqObject(portList[i], portsAt, i, 'a port object');
    const w = portsAt.at(i);
    ports.push({ name: optString(o.name, w, 'name'), number: reqPort(o.number, w, 'number'), protocol: optString(o.protocol, w, 'protocol') });
  }
  return { name: meta.name, namespace: meta.namespace, hosts, addresses, endpoints, ports, labels: meta.labels, evidence };
}

function peerAuthentication(item: Obj, where: At, evidence: Evidence): PeerAuthentication {
  const meta = metadata(item, where, evidence);
  const spec = optObject(item.spec, where, 'spec');
  const specAt = where.at('spec');
  const selector = optObject(spec.selector, specAt, 'selector');
  const mtls = optObject(spec.mtls, specAt, 'mtls');
  const portLevel: Record<string, string> = {};
  const levelsAt = specAt.at('portLevelMtls');
  for (const [port, value] of Object.entries(optObject(spec.portLevelMtls, specAt, 'portLevelMtls'))) {
    const mode = optString(reqObject(value, levelsAt, port, 'an object with mode').mode, levelsAt.at(port), 'mode');
    if (mode !== undefined) portLevel[port] = mode;
  }
  return {
    name: meta.name,
    namespace: meta.namespace,
    selector: selector.matchLabels === undefined || selector.matchLabels === null ? undefined : stringMap(selector.matchLabels, specAt.at('selector'), 'matchLabels'),
    mode: optString(mtls.mode, specAt.at('mtls'), 'mode'),
    portLevel,
    evidence,
  };
}

function gateway(item: Obj, where: At, evidence: Evidence): Gateway {
  const meta = metadata(item, where, evidence);
  const spec = optObject(item.spec, where, 'spec');
  const status = optObject(item.status, where, 'status');
  const specAt = where.at('spec');
  const className = reqString(spec.gatewayClassName, specAt, 'gatewayClassName', 'the gateway class name');
  const listenerList = optArray(spec.listeners, specAt, 'listeners');
  const listenersAt = specAt.at('listeners');
  const listeners: Gateway['listeners'] = [];
  for (let i = 0; i < listenerList.length; i++) {
    const o = reqObject(listenerList[i], listenersAt, i, 'a listener object');
    const w = listenersAt.at(i);
    const routes = optObject(o.allowedRoutes, w, 'allowedRoutes');
    const namespaces = optObject(routes.namespaces, w.at('allowedRoutes'), 'namespaces');
    listeners.push({
      name: reqString(o.name, w, 'name', 'the listener name'),
      port: reqPort(o.port, w, 'port'),
      protocol: reqString(o.protocol, w, 'protocol', 'the listener protocol'),
      allowedFrom: optString(namespaces.from, w.at('allowedRoutes').at('namespaces'), 'from'),
    });
  }
  const statusAt = where.at('status');
  const addressList = optArray(status.addresses, statusAt, 'addresses');
  const addressesAt = statusAt.at('addresses');
  const addresses: string[] = [];
  for (let i = 0; i < addressList.length; i++) {
    addresses.push(reqString(reqObject(addressList[i], addressesAt, i, 'an address object').value, addressesAt.at(i), 'value', 'an address'));
  }
  return { name: meta.name, namespace: meta.namespace, className, labels: meta.labels, annotations: meta.annotations, listeners, addresses, evidence };
}

interface Meta {
  name: string;
  namespace: string;
  uid?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owners: OwnerRef[];
}

/** Reads `metadata` and completes the item's evidence text (`Kind namespace/name`) from it. */
function metadata(item: Obj, where: At, evidence: Evidence): Meta {
  const m = reqObject(item.metadata, where, 'metadata', 'a metadata object');
  const w = where.at('metadata');
  const name = reqString(m.name, w, 'name', 'the object name');
  const namespace = optString(m.namespace, w, 'namespace') ?? '';
  const uid = optString(m.uid, w, 'uid');
  const labels = m.labels === undefined || m.labels === null ? {} : stringMap(m.labels, w, 'labels');
  const annotations = m.annotations === undefined || m.annotations === null ? {} : stringMap(m.annotations, w, 'annotations');
  const refs = optArray(m.ownerReferences, w, 'ownerReferences');
  const owners: OwnerRef[] = [];
  if (refs.length > 0) {
    const refsAt = w.at('ownerReferences');
    for (let i = 0; i < refs.length; i++) {
      const o = reqObject(refs[i], refsAt, i, 'an owner reference object');
      const rw = refsAt.at(i);
      owners.push({ kind: reqString(o.kind, rw, 'kind', 'the owner kind'), name: reqString(o.name, rw, 'name', 'the owner name') });
    }
  }
  evidence.text = `${evidence.text} ${namespace ? `${namespace}/` : ''}${name}`;
  return { name, namespace, uid, labels, annotations, owners };
}

/**
 * A map of strings. The parsed object itself is kept when it is one: copying every label map of a
 * large cluster doubled the garbage of a read. `__proto__`, which assignment would not copy, forces a copy.
 */
function stringMap(value: unknown, parent: At, key: string): Record<string, string> {
  const o = reqObject(value, parent, key, 'a map of strings');
  let plain = true;
  for (const k in o) {
    if (typeof o[k] !== 'string') fail(o[k], parent.at(key), k, 'a string');
    if (k === '__proto__') plain = false;
  }
  if (plain) return o as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) out[k] = v as string;
  return out;
}

/** An array of strings, as a new array. */
function strings(value: unknown, parent: At, key: string, expected: string): string[] {
  const list = optArray(value, parent, key);
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    out.push(typeof v === 'string' ? v : fail(v, parent.at(key), i, expected));
  }
  return out;
}

const EMPTY_OBJECT: Obj = Object.freeze({});
const EMPTY_ARRAY: readonly unknown[] = Object.freeze([]);

/** An absent or null object reads as empty: kubectl omits empty sections. Read-only: it may be shared. */
function optObject(value: unknown, parent: At, key: string): Obj {
  return value === undefined || value === null ? EMPTY_OBJECT : reqObject(value, parent, key, 'an object');
}

/** Read-only: an absent array is a shared empty one. */
function optArray(value: unknown, parent: At, key: string): readonly unknown[] {
  return value === undefined || value === null ? EMPTY_ARRAY : Array.isArray(value) ? value : fail(value, parent, key, 'an array');
}

function optString(value: unknown, parent: At, key: string): string | undefined {
  return value === undefined || value === null ? undefined : typeof value === 'string' ? value : fail(value, parent, key, 'a string');
}

function optBoolean(value: unknown, parent: At, key: string): boolean | undefined {
  return value === undefined || value === null ? undefined : typeof value === 'boolean' ? value : fail(value, parent, key, 'true or false');
}

function reqObject(value: unknown, parent: At, key: Key, expected: string): Obj {
  return isObject(value) ? value : fail(value, parent, key, expected);
}

function reqString(value: unknown, parent: At, key: string, expected: string): string {
  return typeof value === 'string' ? value : fail(value, parent, key, expected);
}

function reqPort(value: unknown, parent: At, key: string): number {
  return isPort(value) ? value : fail(value, parent, key, 'a port number (1-65535)');
}

const isPort = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v >= 1 && v <= 65535;
