import type { NfFamily, Ruleset } from '../model/netfilter.ts';
import type { NetnsData } from '../model/routing.ts';
import { memorySource } from '../parse/byte-source.ts';
import { indexEnvoyConfigDump } from '../parse/envoy-config-dump.ts';
import { parseIpAddr } from '../parse/ip-addr.ts';
import { parseIpLink } from '../parse/ip-link.ts';
import { parseIpRoute } from '../parse/ip-route.ts';
import { parseIpRule } from '../parse/ip-rule.ts';
import { parseIpsetSave } from '../parse/ipset.ts';
import { parseIptablesSave } from '../parse/iptables-save.ts';
import { parseNftJson } from '../parse/nft-json.ts';
import { parseSockets } from '../parse/sockets.ts';
import { parseZtunnelConfigDump } from '../parse/ztunnel-config-dump.ts';
import type { NetnsFile } from './layout.ts';
import type { FileLoader } from './source.ts';
import { NETNS_FILES, netnsIdOfDir } from './layout.ts';

type Field = Exclude<keyof NetnsData, 'id' | 'dir' | 'missing'>;

/** Which files of the same folder are present: nft.json drops what iptables-save already printed. */
type Present = (file: NetnsFile) => boolean;

type Reader = { [F in Field]: { field: F; parse: (load: FileLoader, file: string, present: Present) => NonNullable<NetnsData[F]> } }[Field];

const READERS: Record<NetnsFile, Reader> = {
  // A trace walks few of a node's chains (kube-proxy writes several per Service): rules parse per chain, when walked.
  'iptables-save.txt': { field: 'iptables', parse: (load, file) => parseIptablesSave(load(), file, 'iptables', { deferRules: true }) },
  'ip6tables-save.txt': { field: 'ip6tables', parse: (load, file) => parseIptablesSave(load(), file, 'ip6tables', { deferRules: true }) },
  'nft.json': { field: 'nftables', parse: (load, file, present) => withoutIptablesNft(parseNftJson(load(), file), dumpedFamilies(present)) },
  'ipset.txt': { field: 'ipsets', parse: (load, file) => parseIpsetSave(load(), file) },
  'ip-addr.json': { field: 'addrs', parse: (load, file) => parseIpAddr(load(), file) },
  'ip-link.json': { field: 'links', parse: (load, file) => parseIpLink(load(), file) },
  'ip-rule.json': { field: 'rules', parse: (load, file) => parseIpRule(load(), file) },
  'ip-route.json': { field: 'routes', parse: (load, file) => parseIpRoute(load(), file) },
  'sockets.txt': { field: 'sockets', parse: (load, file) => parseSockets(load(), file) },
  // Likewise a sidecar holds every cluster of the mesh; a trace builds the few it routes to.
  'envoy-config-dump.json': { field: 'envoy', parse: (load, file) => indexEnvoyConfigDump(load.bytes?.() ?? memorySource(Buffer.from(load())), file) },
  'ztunnel-config-dump.json': { field: 'ztunnel', parse: (load, file) => parseZtunnelConfigDump(load(), file) },
};

/** One entry per `nodes/<node>/` and `pods/<ns>/<pod>/` folder holding at least one file. */
export function readNetns(files: Map<string, FileLoader>): Map<string, NetnsData> {
  const dirs = new Set<string>();
  for (const name of files.keys()) {
    const dir = name.slice(0, name.lastIndexOf('/'));
    if (netnsIdOfDir(dir) !== undefined) dirs.add(dir);
  }
  const netns = new Map<string, NetnsData>();
  for (const dir of [...dirs].sort()) {
    const id = netnsIdOfDir(dir)!;
    netns.set(id, netnsData(id, dir, files));
  }
  return netns;
}

/**
 * Each present file becomes a field that parses on first read and then keeps its value; a parse
 * error surfaces at that read, as an InputError naming the file.
 */
function netnsData(id: string, dir: string, files: Map<string, FileLoader>): NetnsData {
  const data: NetnsData = { id, dir, missing: [] };
  const present: Present = (name) => files.has(`${dir}/${name}`);
  for (const name of NETNS_FILES) {
    const file = `${dir}/${name}`;
    const load = files.get(file);
    if (!load) {
      data.missing.push(file);
      continue;
    }
    const { field, parse } = READERS[name];
    Object.defineProperty(data, field, {
      enumerable: true,
      configurable: true,
      get() {
        const value = parse(load, file, present);
        Object.defineProperty(data, field, { value, enumerable: true, configurable: true, writable: true });
        return value;
      },
    });
  }
  return data;
}

function dumpedFamilies(present: Present): Set<NfFamily> {
  const families = new Set<NfFamily>();
  if (present('iptables-save.txt')) families.add('ip');
  if (present('ip6tables-save.txt')) families.add('ip6');
  return families;
}

/**
 * On an iptables-nft host the ip/ip6 tables of `nft list ruleset` repeat iptables-save's rules; the
 * engine must see each rule once, so they go when the matching `*tables-save.txt` is present.
 */
export function withoutIptablesNft(ruleset: Ruleset, dumped: Set<NfFamily>): Ruleset {
  const dropped = new Set(ruleset.iptablesNftTables.filter((table) => dumped.has(table.split('/')[0] as NfFamily)));
  if (dropped.size === 0) return ruleset;
  const tableOf = (key: string) => key.split('/').slice(0, 2).join('/');
  return {
    ...ruleset,
    chains: new Map([...ruleset.chains].filter(([key]) => !dropped.has(tableOf(key)))),
    sets: new Map([...ruleset.sets].filter(([key]) => !dropped.has(tableOf(key)))),
    iptablesNftTables: ruleset.iptablesNftTables.filter((table) => !dropped.has(table)),
  };
}
