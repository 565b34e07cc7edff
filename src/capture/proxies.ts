import type { Pod } from '../model/k8s.ts';
import type { KubeApi } from './api.ts';
import { exec } from './exec.ts';
import type { Failure } from './failure.ts';
import { CaptureError } from './failure.ts';
import { portForwardGet } from './port-forward.ts';
import { redactConfigDump } from './redact.ts';

/** The admin port Envoy (sidecars, waypoints) and ztunnel listen on inside the pod. */
const ADMIN_PORT = 15000;
const PROXY_CONTAINER = 'istio-proxy';

export type ProxyKind = 'envoy' | 'ztunnel';

/** Which proxy a pod runs, from its pod spec: ztunnel's DaemonSet label, or an istio-proxy container. */
export function proxyOf(pod: Pod): ProxyKind | undefined {
  if (pod.labels.app === 'ztunnel') return 'ztunnel';
  if ([...pod.containers, ...pod.initContainers].some((c) => c.name === PROXY_CONTAINER)) return 'envoy';
  return undefined;
}

/**
 * The proxy's config dump, read as istioctl reads it: port-forward to the admin port; for Envoy,
 * `pilot-agent request` through exec when the port-forward is refused. Secrets are removed before
 * anything is kept.
 */
export async function dumpProxy(api: KubeApi, pod: Pod, kind: ProxyKind): Promise<{ file?: [string, string]; failures: Failure[] }> {
  const path = kind === 'envoy' ? '/config_dump?include_eds' : '/config_dump';
  const file = `pods/${pod.namespace}/${pod.name}/${kind === 'envoy' ? 'envoy-config-dump.json' : 'ztunnel-config-dump.json'}`;
  const target = { namespace: pod.namespace, pod: pod.name };
  const failures: Failure[] = [];
  try {
    return { file: [file, redactConfigDump(await portForwardGet(api, target, ADMIN_PORT, path)).text], failures };
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    failures.push(err.failure);
  }
  if (kind === 'ztunnel') return { failures };
  try {
    const r = await exec(api, { ...target, container: PROXY_CONTAINER }, ['pilot-agent', 'request', 'GET', path.slice(1)]);
    if (r.code === 0) return { file: [file, redactConfigDump(r.stdout).text], failures };
    failures.push({ call: 'exec pilot-agent request GET config_dump', object: `${pod.namespace}/${pod.name}`, error: `exit code ${r.code}: ${r.stderr.trim() || 'no output'}` });
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    failures.push(err.failure);
  }
  return { failures };
}
