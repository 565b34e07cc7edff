import type fc from 'fast-check';
import { parseCidr, parseIp } from '../../../src/engine/net/cidr.ts';
import { parseEnvoyConfigDump } from '../../../src/parse/envoy-config-dump.ts';
import { parseIpAddr } from '../../../src/parse/ip-addr.ts';
import { parseIpLink } from '../../../src/parse/ip-link.ts';
import { parseIpRoute } from '../../../src/parse/ip-route.ts';
import { parseIpRule } from '../../../src/parse/ip-rule.ts';
import { parseIpsetSave } from '../../../src/parse/ipset.ts';
import { parseIptablesSave } from '../../../src/parse/iptables-save.ts';
import { parseEndpointSlices, parseNamespaces, parseNodes, parsePods, parseServices } from '../../../src/parse/k8s.ts';
import { parseNftJson } from '../../../src/parse/nft-json.ts';
import { parseSockets } from '../../../src/parse/sockets.ts';
import { parseZtunnelConfigDump } from '../../../src/parse/ztunnel-config-dump.ts';
import { parseMeta } from '../../../src/snapshot/meta.ts';
import * as g from './grammars.ts';

/** One parser under fuzzing: how to call it, what its result must satisfy, and what feeds it. */
export interface Target {
  name: string;
  /** The snapshot-relative path given to the parser: errors and evidence must name exactly this. */
  file: string;
  /** Example and corpus files (by file name) whose mutations feed this parser. */
  seeds: string[];
  json: boolean;
  parse: (text: string, file: string) => unknown;
  /** Throws when a result breaks a model invariant the engine relies on. */
  check: (result: unknown, t: Target) => void;
  grammar: fc.Arbitrary<string>;
  /**
   * Parsers being changed by another line of work: a crash found in them is kept as a `todo`
   * regression case rather than fixed here.
   */
  todo?: boolean;
}

export class InvariantError extends Error {
  override name = 'InvariantError';
}

type Rec = Record<string, unknown>;
type Kind = 'string' | 'int' | 'number' | 'boolean' | 'array' | 'object' | 'map' | 'ip' | 'cidr' | 'port' | 'evidence' | readonly unknown[];

/** Checks the fields a model object must carry; `kinds` lists them with the type the engine reads them as. */
function shape(value: unknown, kinds: Record<string, Kind>, at: string): Rec {
  if (typeof value !== 'object' || value === null) throw new InvariantError(`${at}: expected an object, found ${String(value)}`);
  const o = value as Rec;
  for (const [key, kind] of Object.entries(kinds)) {
    const v = o[key];
    const ok = Array.isArray(kind)
      ? kind.includes(v)
      : kind === 'string' ? typeof v === 'string'
        : kind === 'int' ? Number.isInteger(v)
          : kind === 'number' ? typeof v === 'number' && Number.isFinite(v)
            : kind === 'boolean' ? typeof v === 'boolean'
              : kind === 'array' ? Array.isArray(v)
                : kind === 'object' ? typeof v === 'object' && v !== null
                  : kind === 'map' ? v instanceof Map
                    : kind === 'ip' ? typeof v === 'string' && parseIp(v) !== undefined
                      : kind === 'cidr' ? typeof v === 'string' && parseCidr(v) !== undefined
                        : kind === 'port' ? Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535
                          : typeof v === 'object' && v !== null && typeof (v as Rec).file === 'string';
    if (!ok) throw new InvariantError(`${at}.${key}: expected ${Array.isArray(kind) ? kind.join('|') : kind}, found ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  }
  return o;
}

const each = (items: unknown, kinds: Record<string, Kind>, at: string): Rec[] => {
  if (!Array.isArray(items)) throw new InvariantError(`${at}: expected an array`);
  return items.map((x, i) => shape(x, kinds, `${at}[${i}]`));
};

function checkRuleset(result: unknown): void {
  const rs = shape(result, { backend: ['iptables', 'ip6tables', 'nftables'], chains: 'map', sets: 'map', iptablesNftTables: 'array' }, 'ruleset');
  for (const [key, chain] of rs.chains as Map<string, unknown>) {
    const c = shape(chain, { family: ['ip', 'ip6', 'inet'], table: 'string', name: 'string', rules: 'array', evidence: 'evidence' }, `chain ${key}`);
    each(c.rules, { chain: 'string', index: 'int', matches: 'array', actions: 'array', evidence: 'evidence' }, `chain ${key} rules`).forEach((r, i) => {
      each(r.matches, { kind: 'string' }, `${key}[${i}].matches`);
      each(r.actions, { kind: 'string' }, `${key}[${i}].actions`);
    });
  }
  for (const [key, elems] of rs.sets as Map<string, unknown>) if (!Array.isArray(elems) || elems.some((e) => typeof e !== 'string')) throw new InvariantError(`set ${key}: expected strings`);
}

function checkK8s(kinds: Record<string, Kind>) {
  return (result: unknown) => {
    each(result, { name: 'string', labels: 'object', evidence: 'evidence', ...kinds }, 'items');
  };
}

const IPTABLES_SEEDS = ['iptables-save.txt', 'ip6tables-save.txt'];

export const TARGETS: Target[] = [
  { name: 'iptables-save', file: 'nodes/node-a/iptables-save.txt', seeds: IPTABLES_SEEDS, json: false, parse: (t, f) => parseIptablesSave(t, f, 'iptables'), check: checkRuleset, grammar: g.iptablesSave, todo: true },
  { name: 'ipset', file: 'nodes/node-a/ipset.txt', seeds: ['ipset.txt'], json: false, parse: parseIpsetSave, grammar: g.ipsetSave, check: (r) => {
    if (!(r instanceof Map)) throw new InvariantError('expected a Map of sets');
    for (const set of r.values()) each(shape(set, { name: 'string', type: 'string', members: 'array', evidence: 'evidence' }, 'set').members, { value: 'string', evidence: 'evidence' }, 'members');
  } },
  { name: 'nft-json', file: 'nodes/node-a/nft.json', seeds: ['nft.json'], json: true, parse: parseNftJson, check: checkRuleset, grammar: g.nftJson },
  { name: 'ip-addr', file: 'nodes/node-a/ip-addr.json', seeds: ['ip-addr.json'], json: true, parse: parseIpAddr, grammar: g.ipAddr, check: (r) => void each(r, { ifname: 'string', ifindex: 'number', family: [4, 6], local: 'ip', prefixlen: 'int', evidence: 'evidence' }, 'addrs') },
  { name: 'ip-link', file: 'nodes/node-a/ip-link.json', seeds: ['ip-link.json'], json: true, parse: parseIpLink, grammar: g.ipLink, check: (r) => void each(r, { ifindex: 'number', ifname: 'string', kind: 'string', up: 'boolean', evidence: 'evidence' }, 'links') },
  { name: 'ip-rule', file: 'nodes/node-a/ip-rule.json', seeds: ['ip-rule.json'], json: true, parse: (t, f) => parseIpRule(t, f), grammar: g.ipRule, check: (r) => {
    for (const rule of each(r, { family: [4, 6], priority: 'number', action: ['lookup', 'goto', 'blackhole', 'unreachable', 'prohibit', 'nop'], evidence: 'evidence' }, 'rules')) {
      if (rule.action === 'goto') shape(rule, { target: 'number' }, 'goto rule');
      if (rule.src !== undefined) shape(rule, { src: 'cidr' }, 'rule');
      if (rule.dst !== undefined) shape(rule, { dst: 'cidr' }, 'rule');
    }
  } },
  { name: 'ip-route', file: 'nodes/node-a/ip-route.json', seeds: ['ip-route.json'], json: true, parse: parseIpRoute, grammar: g.ipRoute, check: (r) => void each(r, { family: [4, 6], table: 'int', type: 'string', dst: 'cidr', evidence: 'evidence' }, 'routes') },
  { name: 'sockets', file: 'nodes/node-a/sockets.txt', seeds: ['sockets.txt'], json: false, parse: parseSockets, grammar: g.sockets, check: (r) => {
    for (const s of each(r, { proto: ['tcp', 'udp'], addr: 'string', port: 'port', evidence: 'evidence' }, 'sockets')) if (s.addr !== '*') shape(s, { addr: 'ip' }, 'socket');
  } },
  { name: 'envoy-config-dump', file: 'pods/default/httpbin/envoy-config-dump.json', seeds: ['envoy-config-dump.json'], json: true, parse: parseEnvoyConfigDump, grammar: g.envoyDump, todo: true, check: (r) => {
    const cfg = shape(r, { file: 'string', listeners: 'array', routeConfigs: 'map', clusters: 'map', endpoints: 'map', findings: 'array' }, 'envoy');
    for (const l of each(cfg.listeners, { name: 'string', useOriginalDst: 'boolean', bindToPort: 'boolean', filterChains: 'array', evidence: 'evidence' }, 'listeners')) each(l.filterChains, { match: 'object', filters: 'array', evidence: 'evidence' }, 'filterChains');
  } },
  { name: 'ztunnel-config-dump', file: 'pods/istio-system/ztunnel/ztunnel-config-dump.json', seeds: ['ztunnel-config-dump.json'], json: true, parse: parseZtunnelConfigDump, grammar: g.ztunnelDump, check: (r) => {
    const z = shape(r, { file: 'string', schema: 'string', workloads: 'array', services: 'array' }, 'ztunnel');
    for (const w of each(z.workloads, { name: 'string', namespace: 'string', ips: 'array', protocol: ['HBONE', 'TCP'], evidence: 'evidence' }, 'workloads')) for (const ip of w.ips as unknown[]) shape({ ip }, { ip: 'ip' }, 'workload ip');
    for (const s of each(z.services, { name: 'string', namespace: 'string', hostname: 'string', vips: 'array', ports: 'object', endpoints: 'array', evidence: 'evidence' }, 'services')) {
      for (const [k, v] of Object.entries(s.ports as Rec)) shape({ k: Number(k), v }, { k: 'port', v: 'port' }, 'service port');
      each(s.endpoints, { workload: 'string', ports: 'object', evidence: 'evidence' }, 'endpoints');
    }
  } },
  { name: 'k8s-pods', file: 'k8s/pods.json', seeds: ['pods.json'], json: true, parse: parsePods, grammar: g.k8sPods, check: checkK8s({ namespace: 'string', ips: 'array', hostNetwork: 'boolean', annotations: 'object', containers: 'array', initContainers: 'array', owners: 'array' }) },
  { name: 'k8s-services', file: 'k8s/services.json', seeds: ['services.json'], json: true, parse: parseServices, grammar: g.k8sServices, check: checkK8s({ namespace: 'string', type: 'string', clusterIPs: 'array', ports: 'array' }) },
  { name: 'k8s-endpointslices', file: 'k8s/endpointslices.json', seeds: ['endpointslices.json'], json: true, parse: parseEndpointSlices, grammar: g.k8sEndpointSlices, check: (r) => void each(r, { name: 'string', namespace: 'string', ports: 'array', endpoints: 'array', evidence: 'evidence' }, 'slices') },
  { name: 'k8s-nodes', file: 'k8s/nodes.json', seeds: ['nodes.json'], json: true, parse: parseNodes, grammar: g.k8sNodes, check: checkK8s({ podCIDRs: 'array', addresses: 'array' }) },
  { name: 'k8s-namespaces', file: 'k8s/namespaces.json', seeds: ['namespaces.json'], json: true, parse: parseNamespaces, grammar: g.k8sNamespaces, check: checkK8s({ annotations: 'object' }) },
  { name: 'meta', file: 'meta.json', seeds: ['meta.json'], json: true, parse: parseMeta, grammar: g.meta, check: (r) => void shape(r, { format: 'string' }, 'meta') },
];

export function targetNamed(name: string): Target {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`no fuzz target ${name}`);
  return t;
}
