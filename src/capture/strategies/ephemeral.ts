import { randomBytes } from 'node:crypto';
import { collectionScript } from '../collect.ts';
import { RESOURCES, type KubeApi } from '../api.ts';
import { exec } from '../exec.ts';
import { CaptureError } from '../failure.ts';
import type { NetnsTarget, NodeAccess } from './access.ts';
import { failed } from './access.ts';
import { readDump } from './enter.ts';

const POLL_MS = 200;

/**
 * An ephemeral container with NET_ADMIN in each target pod, which shares the pod's netns: the
 * collection script runs there as is. Kubernetes cannot remove an ephemeral container, so it stays
 * (stopped) in the pod until the pod goes; a node's host netns is out of its reach.
 */
export function ephemeralAccess(api: KubeApi, image: string, timeoutMs: number): NodeAccess {
  return {
    name: 'ephemeral',
    warning: 'ephemeral containers cannot be removed: each traced pod keeps a stopped istio-path-* container until the pod is deleted',
    async dump(target: NetnsTarget) {
      const pod = target.pod;
      if (!pod) return failed(target, 'ephemeral container', 'a node\'s host netns is not reachable from an ephemeral container; use --node-access istio-cni or debug-pod for node data');
      const name = `istio-path-${randomBytes(3).toString('hex')}`;
      try {
        await api.patchSubresource(RESOURCES.pods, pod.namespace, pod.name, 'ephemeralcontainers', {
          spec: { ephemeralContainers: [{ name, image, command: ['sleep', '600'], securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } } }] },
        });
        await running(api, pod.namespace, pod.name, name, timeoutMs || 120_000);
        const r = await exec(api, { namespace: pod.namespace, pod: pod.name, container: name }, ['sh', '-c', collectionScript()]);
        return readDump(target, r, `ephemeral container ${name}`);
      } catch (err) {
        if (err instanceof CaptureError) return { files: new Map(), failures: [{ ...err.failure, error: `${err.failure.error} (dumping ${target.dir})` }] };
        throw err;
      }
    },
    async cleanup() {},
  };
}

async function running(api: KubeApi, namespace: string, pod: string, container: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const p = await api.get(RESOURCES.pods, namespace, pod);
    if (!p) throw new CaptureError({ call: 'start ephemeral container', object: `${namespace}/${pod}`, error: 'the pod vanished' }, 'it was deleted during the capture; run the command again');
    const statuses = (p.status as { ephemeralContainerStatuses?: { name: string; state?: { running?: unknown; terminated?: { reason?: string } } }[] }).ephemeralContainerStatuses ?? [];
    const state = statuses.find((s) => s.name === container)?.state;
    if (state?.running) return;
    if (state?.terminated) throw new CaptureError({ call: 'start ephemeral container', object: `${namespace}/${pod}`, error: `${container} ended (${state.terminated.reason ?? 'terminated'})` }, 'check the --debug-image');
    if (performance.now() > deadline) throw new CaptureError({ call: 'start ephemeral container', object: `${namespace}/${pod}`, error: `${container} not running after ${timeoutMs / 1000}s` }, 'the image may still be pulling; raise --request-timeout');
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
