import { hostname, networkInterfaces } from 'node:os';
import { execa } from 'execa';
import type { Node } from '../../model/k8s.ts';
import { collectLocal, type LocalTarget } from './local.ts';
import type { NetnsTarget, NodeAccess } from './access.ts';
import { failed } from './access.ts';

/**
 * `--node-access local`: istio-path runs on the node itself. The host netns is this machine's when
 * the node's name or one of its addresses is this machine's; a pod's netns is the named netns
 * (`ip netns`) that holds the pod's IP.
 */
export function onNodeAccess(nodes: Node[]): NodeAccess {
  const here = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address)));
  const isThisMachine = (name: string) => {
    const node = nodes.find((n) => n.name === name);
    return name === hostname() || !!node?.addresses.some((a) => here.has(a.address));
  };
  return {
    name: 'local',
    async dump(target: NetnsTarget) {
      if (!isThisMachine(target.node)) return failed(target, 'local netns', `node ${target.node} is not this machine (${hostname()}); run istio-path on that node, or choose another --node-access`);
      let local: LocalTarget = { kind: 'host' };
      if (target.pod) {
        const name = target.pod.ip ? await netnsHolding(target.pod.ip) : undefined;
        if (!name) return failed(target, 'find netns', `no named network namespace on this machine holds address ${target.pod.ip ?? '(the pod has no IP)'}`);
        local = { kind: 'netns', name };
      }
      return collectLocal(local, target.dir);
    },
    async cleanup() {},
  };
}

/** The `ip netns` name whose interfaces hold `ip`. */
async function netnsHolding(ip: string): Promise<string | undefined> {
  const list = await execa('ip', ['-j', 'netns', 'list'], { reject: false });
  const names = list.failed || !list.stdout.trim() ? [] : (JSON.parse(list.stdout) as { name: string }[]).map((n) => n.name);
  for (const name of names) {
    const addrs = await execa('ip', ['netns', 'exec', name, 'ip', '-j', 'addr'], { reject: false });
    if (addrs.failed) continue;
    const ifaces = JSON.parse(addrs.stdout || '[]') as { addr_info?: { local?: string }[] }[];
    if (ifaces.some((i) => i.addr_info?.some((a) => a.local === ip))) return name;
  }
  return undefined;
}
