import type { Pod } from '../../model/k8s.ts';
import type { KubeApi } from '../api.ts';
import { exec } from '../exec.ts';
import { CaptureError } from '../failure.ts';
import type { NetnsTarget, NodeAccess } from './access.ts';
import { failed } from './access.ts';
import { enterCommand, readDump } from './enter.ts';

/** The container of the istio-cni-node DaemonSet that holds the node's tools. */
const CNI_CONTAINER = 'install-cni';

/**
 * Execs into the istio-cni-node pod of the target's node (host netns, privileged, with the node's
 * netns mounted) and enters the target netns from there: nothing is created in the cluster.
 */
export function istioCniAccess(api: KubeApi, cniOn: Map<string, Pod>): NodeAccess {
  return {
    name: 'istio-cni',
    async dump(target: NetnsTarget) {
      const cni = cniOn.get(target.node);
      if (!cni) return failed(target, 'find istio-cni-node pod', `no istio-cni-node pod runs on node ${target.node}; choose another --node-access`);
      const container = cni.containers.some((c) => c.name === CNI_CONTAINER) ? CNI_CONTAINER : cni.containers[0]?.name;
      try {
        const r = await exec(api, { namespace: cni.namespace, pod: cni.name, container }, enterCommand(target));
        return readDump(target, r, `pods/${cni.namespace}/${cni.name}`);
      } catch (err) {
        if (err instanceof CaptureError) return { files: new Map(), failures: [{ ...err.failure, error: `${err.failure.error} (dumping ${target.dir})` }] };
        throw err;
      }
    },
    async cleanup() {},
  };
}
