import type { Link, LinkKind } from '../model/routing.ts';
import { isArray, isNumber, isObject, isString, need, parseJsonText, ptr } from './json.ts';

const KINDS: Record<string, LinkKind> = { veth: 'veth', geneve: 'geneve', vxlan: 'vxlan', bridge: 'bridge', dummy: 'dummy' };

/** Kernel defaults when the dump omits the port: geneve's IANA port; vxlan's IANA port (iproute2 always prints the one in use). */
const DEFAULT_PORT: Partial<Record<LinkKind, number>> = { geneve: 6081, vxlan: 4789 };

interface RawLink {
  at: string;
  obj: Record<string, unknown>;
  ifindex: number;
  ifname: string;
}

/** `ip -d -j link`. */
export function parseIpLink(text: string, file: string): Link[] {
  const items = need(parseJsonText(text, file, 'the output of `ip -d -j link`'), isArray, file, '', 'a JSON array (`ip -d -j link`)');
  const raws: RawLink[] = items.map((item, i) => {
    const at = ptr('', i);
    const obj = need(item, isObject, file, at, 'an interface object');
    return {
      at,
      obj,
      ifindex: need(obj.ifindex, isNumber, file, ptr(at, 'ifindex'), 'an interface index'),
      ifname: need(obj.ifname, isString, file, ptr(at, 'ifname'), 'an interface name'),
    };
  });
  const byName = new Map(raws.map((r) => [r.ifname, r.ifindex]));
  return raws.map((raw) => toLink(raw, byName, file));
}

function toLink(raw: RawLink, byName: Map<string, number>, file: string): Link {
  const { obj, at } = raw;
  const info = obj.linkinfo === undefined ? undefined : need(obj.linkinfo, isObject, file, ptr(at, 'linkinfo'), 'a linkinfo object');
  const kind = kindOf(obj, info, file, at);
  const link: Link = { ifindex: raw.ifindex, ifname: raw.ifname, kind, up: isUp(obj, file, at), evidence: { file, pointer: at } };
  if (obj.mtu !== undefined) link.mtu = need(obj.mtu, isNumber, file, ptr(at, 'mtu'), 'an MTU');
  if (obj.address !== undefined) link.address = need(obj.address, isString, file, ptr(at, 'address'), 'a MAC address');
  if (obj.master !== undefined) link.master = need(obj.master, isString, file, ptr(at, 'master'), 'the master device name');
  if (kind === 'veth') Object.assign(link, vethPeer(obj, byName, file, at));
  if (kind === 'geneve' || kind === 'vxlan') {
    const tunnel = tunnelOf(kind, info?.info_data, file, ptr(at, 'linkinfo', 'info_data'));
    if (tunnel) link.tunnel = tunnel;
  }
  link.evidence.text = renderLink(link);
  return link;
}

function kindOf(obj: Record<string, unknown>, info: Record<string, unknown> | undefined, file: string, at: string): LinkKind {
  if (info?.info_kind !== undefined) {
    return KINDS[need(info.info_kind, isString, file, ptr(at, 'linkinfo', 'info_kind'), 'a link kind')] ?? 'other';
  }
  if (obj.link_type === 'loopback') return 'loopback';
  return obj.link_type === undefined || obj.link_type === 'ether' ? 'ether' : 'other';
}

/** A device passes packets only when administratively up and its carrier is present. */
function isUp(obj: Record<string, unknown>, file: string, at: string): boolean {
  if (obj.flags !== undefined) {
    const flags = need(obj.flags, isArray, file, ptr(at, 'flags'), 'an array of flags');
    return flags.includes('UP') && flags.includes('LOWER_UP');
  }
  return obj.operstate === 'UP' || obj.operstate === 'UNKNOWN';
}

/** The peer is `link_index` (+ `link_netnsid` when it lives in another netns), or `link` by name when it is in this one. */
function vethPeer(obj: Record<string, unknown>, byName: Map<string, number>, file: string, at: string): Partial<Link> {
  const out: Partial<Link> = {};
  if (obj.link_index !== undefined) out.peerIndex = need(obj.link_index, isNumber, file, ptr(at, 'link_index'), 'the peer ifindex');
  else if (isString(obj.link) && byName.has(obj.link)) out.peerIndex = byName.get(obj.link);
  if (obj.link_netnsid !== undefined) out.linkNetnsid = need(obj.link_netnsid, isNumber, file, ptr(at, 'link_netnsid'), 'the peer netns id');
  return out;
}

function optString(data: Record<string, unknown>, keys: string[], file: string, at: string): string | undefined {
  for (const key of keys) {
    if (data[key] !== undefined) return need(data[key], isString, file, ptr(at, key), 'an address');
  }
  return undefined;
}

/** Field names as iproute2 prints them (`iplink_geneve.c`, `iplink_vxlan.c`); external (collect_metadata) devices have no id. */
function tunnelOf(kind: 'geneve' | 'vxlan', raw: unknown, file: string, at: string): Link['tunnel'] {
  if (raw === undefined) return undefined;
  const data = need(raw, isObject, file, at, 'an info_data object');
  if (data.id === undefined) return undefined;
  const tunnel: NonNullable<Link['tunnel']> = {
    id: need(data.id, isNumber, file, ptr(at, 'id'), 'a VNI'),
    port: data.port === undefined ? DEFAULT_PORT[kind]! : need(data.port, isNumber, file, ptr(at, 'port'), 'a UDP port'),
  };
  const remote = optString(data, kind === 'vxlan' ? ['remote', 'remote6', 'group', 'group6'] : ['remote', 'remote6'], file, at);
  if (remote !== undefined) tunnel.remote = remote;
  const local = kind === 'vxlan' ? optString(data, ['local', 'local6'], file, at) : undefined;
  if (local !== undefined) tunnel.local = local;
  return tunnel;
}

function renderLink(l: Link): string {
  const parts = [`${l.ifindex}: ${l.ifname}${l.peerIndex !== undefined ? `@if${l.peerIndex}` : ''}:`, l.up ? 'up' : 'down'];
  if (l.master) parts.push(`master ${l.master}`);
  parts.push(l.kind);
  if (l.tunnel) {
    parts.push(`id ${l.tunnel.id}`);
    if (l.tunnel.remote) parts.push(`remote ${l.tunnel.remote}`);
    if (l.tunnel.local) parts.push(`local ${l.tunnel.local}`);
    parts.push(`dstport ${l.tunnel.port}`);
  }
  if (l.linkNetnsid !== undefined) parts.push(`link-netnsid ${l.linkNetnsid}`);
  return parts.join(' ');
}
