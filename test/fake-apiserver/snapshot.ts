import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NETNS_COLLECTION } from '../../src/capture/collect.ts';
import type { ExecReply, ExecRequest, FakeOptions } from './server.ts';

/**
 * Fake API server options that serve one snapshot as a cluster: its Kubernetes lists, an
 * istio-cni-node pod on every node (so the default node access applies), exec that prints each
 * netns folder in the collection script's format, and config dumps on the admin port 15000.
 */
export function snapshotCluster(dir: string, extra: { cni?: boolean } = {}): FakeOptions {
  const read = (file: string) => (existsSync(path.join(dir, file)) ? (JSON.parse(readFileSync(path.join(dir, file), 'utf8')).items as any[]) : []);
  const pods = read('k8s/pods.json');
  const nodes = read('k8s/nodes.json');
  if (extra.cni !== false) pods.push(...nodes.map((n) => cniPod(n.metadata.name)));
  const file = (rel: string) => (existsSync(path.join(dir, rel)) ? readFileSync(path.join(dir, rel), 'utf8') : undefined);
  return {
    objects: { pods, nodes, services: read('k8s/services.json'), endpointslices: read('k8s/endpointslices.json'), namespaces: read('k8s/namespaces.json') },
    exec: (req) => execIn(req, pods, file),
    http: (pod, port, p) => {
      if (port !== 15000 || !p.startsWith('/config_dump')) return undefined;
      const name = pod.metadata.labels?.app === 'ztunnel' ? 'ztunnel-config-dump.json' : 'envoy-config-dump.json';
      const body = file(`pods/${pod.metadata.namespace}/${pod.metadata.name}/${name}`);
      return body === undefined ? { status: 404, body: 'not found' } : { status: 200, body };
    },
  };
}

export function cniPod(node: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `istio-cni-node-${node}`, namespace: 'istio-system', labels: { 'k8s-app': 'istio-cni-node' } },
    spec: { nodeName: node, hostNetwork: true, containers: [{ name: 'install-cni', image: 'docker.io/istio/install-cni:test' }] },
    status: { phase: 'Running', podIP: '172.18.0.250' },
  };
}

/** Which snapshot folder an exec reaches: the script's `host`/`ip ADDRESS` from a node pod, or the pod itself. */
export function execDir(req: ExecRequest, pods: any[]): string | { error: string } {
  const [sh, dashC, , name, mode, ip] = req.command;
  const node = req.object.spec.nodeName;
  if (sh === 'sh' && dashC === '-c' && name === 'istio-path') {
    if (mode === 'host') return `nodes/${node}`;
    const pod = pods.find((p) => p.status?.podIP === ip && p.spec.nodeName === node && !p.spec.hostNetwork);
    return pod ? `pods/${pod.metadata.namespace}/${pod.metadata.name}` : { error: `no network namespace on this node holds address ${ip}` };
  }
  return `pods/${req.namespace}/${req.pod}`;
}

function execIn(req: ExecRequest, pods: any[], file: (rel: string) => string | undefined): ExecReply {
  if (req.command[0] === 'pilot-agent') {
    const body = file(`pods/${req.namespace}/${req.pod}/envoy-config-dump.json`);
    return body === undefined ? { stdout: '', stderr: 'Error: dial tcp 127.0.0.1:15000: connection refused', code: 1 } : { stdout: body, code: 0 };
  }
  if (req.command[0] !== 'sh') return { stdout: '', stderr: `exec: "${req.command[0]}": executable file not found in $PATH`, code: 127 };
  const dir = execDir(req, pods);
  if (typeof dir !== 'string') return { stdout: '', stderr: dir.error, code: 3 };
  return { stdout: collectionOutput(dir, file), code: 0 };
}

/** What the collection script prints for a folder: every file it holds; a tool whose file is absent printed nothing. */
export function collectionOutput(dir: string, file: (rel: string) => string | undefined): string {
  return NETNS_COLLECTION.map((c) => {
    const text = file(`${dir}/${c.file}`);
    if (text === undefined && c.keepEmpty) return `@@istio-path begin ${c.file}\n\n@@istio-path end ${c.file} 127\n@@istio-path stderr ${c.file} sh: ${c.command[0]}: not found\n`;
    return `@@istio-path begin ${c.file}\n${text ?? ''}\n@@istio-path end ${c.file} 0\n`;
  }).join('');
}
