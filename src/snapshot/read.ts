import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../model/evidence.ts';
import type { K8s } from '../model/index.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { parseEndpointSlices, parseGateways, parseNamespaces, parseNodes, parsePeerAuthentications, parsePods, parseServiceEntries, parseServices } from '../parse/k8s.ts';
import { DEFAULT_MAX_BYTES, readArchive } from './archive.ts';
import { readDirectory } from './directory.ts';
import { ISTIO_K8S_FILES, K8S_FILES, META_FILE } from './layout.ts';
import { parseMeta } from './meta.ts';
import { readNetns } from './netns.ts';
import type { SnapshotSource } from './source.ts';

export interface ReadOptions {
  /** Most decompressed bytes an archive may hold (default 2 GiB). */
  maxBytes?: number;
}

const NOT_A_SNAPSHOT_HINT = 'a snapshot is a directory (or its .tar.gz) with meta.json at its root, laid out as in the README (Snapshots)';

/**
 * Reads a snapshot directory or `.tar.gz`. `meta.json` and `k8s/` are parsed now; each netns file is
 * parsed the first time its field is read, because a trace touches only a few netns of a large cluster.
 */
export async function readSnapshot(path: string, options: ReadOptions = {}): Promise<Snapshot> {
  const source = await open(path, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const meta = source.files.get(META_FILE);
  if (!meta) throw noMeta(path);
  // The format decides how everything else is read, so it is checked first.
  const parsedMeta = parseMeta(meta(), META_FILE);
  const { k8s, missingK8s } = readK8s(source);
  return {
    path,
    meta: parsedMeta,
    k8s,
    missingK8s,
    netns: readNetns(source.files),
    findings: source.findings,
  };
}

async function open(path: string, maxBytes: number): Promise<SnapshotSource> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputError(path, {}, 'no such snapshot directory or archive', NOT_A_SNAPSHOT_HINT);
  if (info.isDirectory()) {
    // Checked before listing, so a wrong directory (a home, a root) fails at once.
    if (!(await stat(join(path, META_FILE)).catch(() => undefined))?.isFile()) throw noMeta(path);
    return readDirectory(path);
  }
  if (info.isFile()) return readArchive(path, maxBytes);
  throw new InputError(path, {}, 'expected a snapshot directory or a .tar.gz archive', NOT_A_SNAPSHOT_HINT);
}

function noMeta(path: string): InputError {
  return new InputError(path, {}, `no ${META_FILE} at the root: not an istio-path snapshot`, NOT_A_SNAPSHOT_HINT);
}

function readK8s(source: SnapshotSource): { k8s: K8s.Cluster; missingK8s: string[] } {
  const missingK8s: string[] = [];
  const list = <T>(file: string, parse: (text: string, file: string) => T[]): T[] => {
    const load = source.files.get(file);
    if (load) return parse(load(), file);
    missingK8s.push(file);
    return [];
  };
  const k8s = {
    pods: list(K8S_FILES.pods, parsePods),
    services: list(K8S_FILES.services, parseServices),
    endpointSlices: list(K8S_FILES.endpointSlices, parseEndpointSlices),
    nodes: list(K8S_FILES.nodes, parseNodes),
    namespaces: list(K8S_FILES.namespaces, parseNamespaces),
    ...istioObjects(source),
  };
  return { k8s, missingK8s };
}

/** Istio's objects, each left undefined when its file is absent so intent can tell "none" from "not captured". */
function istioObjects(source: SnapshotSource): K8s.IstioObjects {
  const optional = <T>(file: string, parse: (text: string, file: string) => T[]): T[] | undefined => {
    const load = source.files.get(file);
    return load ? parse(load(), file) : undefined;
  };
  const out: K8s.IstioObjects = {};
  const serviceEntries = optional(ISTIO_K8S_FILES.serviceEntries, parseServiceEntries);
  const peerAuthentications = optional(ISTIO_K8S_FILES.peerAuthentications, parsePeerAuthentications);
  const gateways = optional(ISTIO_K8S_FILES.gateways, parseGateways);
  if (serviceEntries) out.serviceEntries = serviceEntries;
  if (peerAuthentications) out.peerAuthentications = peerAuthentications;
  if (gateways) out.gateways = gateways;
  return out;
}
