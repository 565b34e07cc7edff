import path from 'node:path';
import type { Hop } from '../../model/index.ts';
import { netnsIdOfDir } from '../../snapshot/layout.ts';
import type { DeviceType } from './model.ts';

/** A device a hop names, in the netns whose snapshot folder holds the evidence. */
export interface DeviceRef {
  netns: string;
  name: string;
  type: DeviceType;
}

// How `ip-link.json` evidence reads (`2: eth0@if3: up veth link-netnsid 0`): index, name, state, kind.
const LINK_TEXT = /^\d+: ([^\s@:]+)(?:@\S+)?: (?:up|down)(?: master \S+)? (\S+)/;

/** Devices named by a hop's `ip-link.json` evidence. */
export function linkDevices(hop: Hop): DeviceRef[] {
  const out: DeviceRef[] = [];
  for (const e of hop.evidence) {
    if (e.missing || path.posix.basename(e.file) !== 'ip-link.json' || !e.text) continue;
    const netns = netnsIdOfDir(path.posix.dirname(e.file));
    const m = LINK_TEXT.exec(e.text);
    if (netns && m) out.push({ netns, name: m[1], type: deviceType(m[2]) });
  }
  return out;
}

function deviceType(kind: string): DeviceType {
  return kind === 'veth' || kind === 'geneve' || kind === 'vxlan' ? kind : 'device';
}

/**
 * The device a crossing hop enters `to` on. `ip-link.json` evidence names it when the snapshot holds
 * the peer; a node's uplink has none (the next node's address decided), and then the hop's `where`
 * ends with the arriving interface: `… → node node-b (eth0)`, `… → node:node-a vethfab787fb`.
 */
export function arrivalDevice(hop: Hop, to: string): DeviceRef | undefined {
  const named = linkDevices(hop).find((d) => d.netns === to);
  if (named) return named;
  const tail = hop.where.split(' → ').at(-1)?.split(' ') ?? [];
  if (tail.length < 2) return undefined;
  const name = tail.at(-1)!.replace(/^\((.*)\)$/, '$1');
  return name && name !== to ? { netns: to, name, type: 'device' } : undefined;
}
