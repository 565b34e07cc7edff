import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLES } from './topology.ts';
import type { ExampleSpec } from './topology.ts';
import { CAPTURED_AT } from './proxies/names.ts';
import { endpointSliceList, gatewayList, namespaceList, nodeList, podList, serviceList } from './proxies/k8s.ts';
import { checkWaypoints, ztunnelConfigDump, ztunnelPods } from './proxies/ztunnel.ts';
import { envoyConfigDump } from './proxies/envoy-dump.ts';
import { sidecarResources } from './proxies/sidecar.ts';
import { waypointResources } from './proxies/waypoint.ts';

/**
 * Writes the parts of an example snapshot that describe the cluster and its proxies: `meta.json`, the
 * Kubernetes Lists, every ztunnel's `/config_dump` and every sidecar's and waypoint's Envoy
 * `/config_dump?include_eds`. The network namespaces beside them are dumped from real kernels by
 * `kernel.ts`; this module never touches those files, so both can fill the same folder.
 */
export async function writeProxyFiles(spec: ExampleSpec, outDir: string): Promise<void> {
  checkWaypoints(spec);
  const files: [string, unknown][] = [
    ['meta.json', meta(spec)],
    ['k8s/pods.json', podList(spec)],
    ['k8s/services.json', serviceList(spec)],
    ['k8s/endpointslices.json', endpointSliceList(spec)],
    ['k8s/nodes.json', nodeList(spec)],
    ['k8s/namespaces.json', namespaceList(spec)],
    ...(spec.gateways ? [['k8s/gateways.json', gatewayList(spec)] as [string, unknown]] : []),
    ...ztunnelPods(spec).map((p): [string, unknown] => [`pods/${p.namespace}/${p.name}/ztunnel-config-dump.json`, ztunnelConfigDump(spec, p)]),
    ...spec.pods
      .filter((p) => p.mode === 'sidecar')
      .map((p): [string, unknown] => [`pods/${p.namespace}/${p.name}/envoy-config-dump.json`, envoyConfigDump(spec, p, 'sidecar', sidecarResources(spec, p))]),
    ...spec.pods
      .filter((p) => p.mode === 'waypoint')
      .map((p): [string, unknown] => [`pods/${p.namespace}/${p.name}/envoy-config-dump.json`, envoyConfigDump(spec, p, 'waypoint', waypointResources(spec, p))]),
  ];
  for (const [rel, value] of files) {
    const file = path.join(outDir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
  }
}

function meta(spec: ExampleSpec): Record<string, unknown> {
  return {
    format: 'istio-path-snapshot/v1',
    capturedAt: CAPTURED_AT,
    origin: 'example',
    cluster: { context: `kind-${spec.name}` },
    istio: { version: spec.istio, revision: 'default' },
    notes:
      `${spec.title}. The Envoy, ztunnel and Kubernetes files are shaped by scripts/examples/proxies.ts; ` +
      'the iptables/nft/ip/ss files come from real network namespaces dumped with the real tools (scripts/examples/kernel.ts).',
  };
}

/** `node --import tsx scripts/examples/proxies.ts [example…]`: rewrites only these files of each example. */
async function main(names: string[]): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples');
  const chosen = names.length ? EXAMPLES.filter((e) => names.includes(e.name)) : EXAMPLES;
  for (const spec of chosen) await writeProxyFiles(spec, path.join(root, spec.name));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
