import { randomBytes } from 'node:crypto';
import { RESOURCES, type KubeApi } from '../api.ts';
import { exec } from '../exec.ts';
import { CaptureError } from '../failure.ts';
import type { NetnsTarget, NodeAccess } from './access.ts';
import { enterCommand, readDump } from './enter.ts';

/** How often a new debug pod's phase is read while it starts. */
const POLL_MS = 200;
/** A debug pod that outlives a killed capture ends itself after this long. */
const LIFETIME_SECONDS = 600;

/**
 * One short-lived privileged pod per node (hostNetwork, hostPID), started on first use, exec'd into
 * for every netns of that node and deleted by `cleanup` — which the caller runs after success,
 * errors, timeouts and Ctrl-C alike.
 */
export function debugPodAccess(api: KubeApi, namespace: string, image: string, timeoutMs: number): NodeAccess {
  const pods = new Map<string, Promise<string>>();
  const created: string[] = [];
  const start = (node: string): Promise<string> => {
    let p = pods.get(node);
    if (!p) pods.set(node, (p = startPod(node)));
    return p;
  };
  const startPod = async (node: string): Promise<string> => {
    const name = `istio-path-debug-${randomBytes(4).toString('hex')}`;
    await api.create(RESOURCES.pods, namespace, debugPodSpec(name, node, image));
    created.push(name);
    const deadline = performance.now() + (timeoutMs || 120_000);
    for (;;) {
      const pod = await api.get(RESOURCES.pods, namespace, name);
      const phase = (pod?.status as { phase?: string } | undefined)?.phase;
      if (phase === 'Running') return name;
      if (!pod || phase === 'Failed' || phase === 'Succeeded') {
        throw new CaptureError({ call: 'start debug pod', object: `${namespace}/${name}`, error: pod ? `the pod ended (${phase})` : 'the pod vanished' }, `check that image ${image} can run privileged on node ${node} (kubectl describe pod)`);
      }
      if (performance.now() > deadline) {
        throw new CaptureError({ call: 'start debug pod', object: `${namespace}/${name}`, error: `not running after ${(timeoutMs || 120_000) / 1000}s` }, `the image ${image} may still be pulling; raise --request-timeout or use a cached --debug-image`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  return {
    name: 'debug-pod',
    async dump(target: NetnsTarget) {
      try {
        const pod = await start(target.node);
        const r = await exec(api, { namespace, pod, container: 'collect' }, enterCommand(target));
        return readDump(target, r, `pods/${namespace}/${pod}`);
      } catch (err) {
        if (err instanceof CaptureError) return { files: new Map(), failures: [{ ...err.failure, error: `${err.failure.error} (dumping ${target.dir})` }] };
        throw err;
      }
    },
    async cleanup() {
      await Promise.all([...pods.values()].map((p) => p.catch(() => undefined)));
      await Promise.all(created.map((name) => api.delete(RESOURCES.pods, namespace, name).catch(() => undefined)));
    },
  };
}

export function debugPodSpec(name: string, node: string, image: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { 'app.kubernetes.io/created-by': 'istio-path' } },
    spec: {
      nodeName: node,
      hostNetwork: true,
      hostPID: true,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      activeDeadlineSeconds: LIFETIME_SECONDS,
      tolerations: [{ operator: 'Exists' }],
      containers: [{
        name: 'collect',
        image,
        command: ['sleep', String(LIFETIME_SECONDS)],
        securityContext: { privileged: true },
        volumeMounts: [{ name: 'netns', mountPath: '/var/run/netns', mountPropagation: 'HostToContainer' }],
      }],
      volumes: [{ name: 'netns', hostPath: { path: '/var/run/netns' } }],
    },
  };
}
