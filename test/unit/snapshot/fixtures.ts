import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';

/** Small inputs every parser accepts; the reader tests care about where files go, not what they say. */

export const META = JSON.stringify({ format: 'istio-path-snapshot/v1', capturedAt: '2026-11-27T10:00:00Z', origin: 'synthetic', istio: { version: '1.18.2' } });

const list = (kind: string, items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind, items });

export const PODS = list('PodList', [{ metadata: { name: 'sleep-1', namespace: 'default' }, spec: { nodeName: 'node-a' }, status: { phase: 'Running', podIP: '10.244.1.5' } }]);
export const NODES = list('NodeList', [{ metadata: { name: 'node-a' }, spec: { podCIDR: '10.244.1.0/24' } }]);

export const IP_ADDR = JSON.stringify([{ ifindex: 1, ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] }]);
export const IP_ROUTE = JSON.stringify([{ dst: 'default', gateway: '10.244.1.1', dev: 'eth0', flags: [] }]);
export const IPTABLES = '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -j REDIRECT --to-ports 15001\nCOMMIT\n';

/** An iptables-nft host: table ip/nat repeats iptables-save, table inet/istio-proxy-nat is nft's own. */
export const NFT = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', json_schema_version: 1 } },
    { table: { family: 'ip', name: 'nat', handle: 1 } },
    { chain: { family: 'ip', table: 'nat', name: 'PREROUTING', handle: 1, type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' } },
    { table: { family: 'inet', name: 'istio-proxy-nat', handle: 2 } },
    { chain: { family: 'inet', table: 'istio-proxy-nat', name: 'prerouting', handle: 1, type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' } },
  ],
});

export function snapshotFiles(extra: Record<string, string> = {}): Map<string, string> {
  return new Map(Object.entries({
    'meta.json': META,
    'k8s/pods.json': PODS,
    'k8s/nodes.json': NODES,
    'nodes/node-a/ip-addr.json': IP_ADDR,
    'nodes/node-a/iptables-save.txt': IPTABLES,
    'nodes/node-a/nft.json': NFT,
    'pods/default/sleep-1/ip-route.json': IP_ROUTE,
    ...extra,
  }));
}

export function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'istio-path-snapshot-'));
}

/** Entries as raw tar headers, so tests can build archives the writer would refuse to make. */
export async function rawArchive(file: string, entries: (tar.Header extends infer H ? Partial<H> & { name: string; content?: string | Buffer } : never)[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createGzip(), createWriteStream(file));
  for (const { content, ...header } of entries) pack.entry(header, content ?? '');
  pack.finalize();
  await done;
}
