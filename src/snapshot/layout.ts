/** File names of the `istio-path-snapshot/v1` layout (DESIGN.md), relative to the snapshot root. */

export const META_FILE = 'meta.json';

export const K8S_FILES = {
  pods: 'k8s/pods.json',
  services: 'k8s/services.json',
  endpointSlices: 'k8s/endpointslices.json',
  nodes: 'k8s/nodes.json',
  namespaces: 'k8s/namespaces.json',
} as const;

/** Istio's own objects, optional like every file; their absence is not reported as missing Kubernetes state. */
export const ISTIO_K8S_FILES = {
  serviceEntries: 'k8s/serviceentries.json',
  peerAuthentications: 'k8s/peerauthentications.json',
  gateways: 'k8s/gateways.json',
} as const;

/** What a netns folder may hold, in the order DESIGN.md lists it. */
export const NETNS_FILES = [
  'iptables-save.txt',
  'ip6tables-save.txt',
  'nft.json',
  'ipset.txt',
  'ip-addr.json',
  'ip-link.json',
  'ip-rule.json',
  'ip-route.json',
  'sockets.txt',
  'envoy-config-dump.json',
  'ztunnel-config-dump.json',
] as const;

export type NetnsFile = (typeof NETNS_FILES)[number];

/**
 * The netns a snapshot-relative folder stands for: `nodes/<node>` → `node:<node>`,
 * `pods/<ns>/<pod>` → `pod:<ns>/<pod>`; undefined for any other folder.
 */
export function netnsIdOfDir(dir: string): string | undefined {
  const parts = dir.split('/');
  if (parts[0] === 'nodes' && parts.length === 2 && parts[1]) return `node:${parts[1]}`;
  if (parts[0] === 'pods' && parts.length === 3 && parts[1] && parts[2]) return `pod:${parts[1]}/${parts[2]}`;
  return undefined;
}

/** Where `writeSnapshot` writes a `.tar.gz` instead of a directory. */
export function isArchivePath(path: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(path);
}

/** Folders nest at most this deep (`pods/<ns>/<pod>/` then a file); deeper content is not part of a snapshot. */
export const LAYOUT_DEPTH = 3;
