import type { Cluster, Endpoint } from '../../model/envoy.ts';

const USABLE = ['HEALTHY', 'UNKNOWN'];

/**
 * Endpoints a load balancer may pick, in a deterministic order: healthy (or unchecked) ones by priority,
 * then degraded ones; unhealthy, draining and timed-out hosts receive nothing.
 */
export function usableEndpoints(eps: Endpoint[]): Endpoint[] {
  const byPriority = (a: Endpoint, b: Endpoint): number => (a.priority ?? 0) - (b.priority ?? 0);
  const healthy = eps.filter((e) => USABLE.includes(e.health)).sort(byPriority);
  const degraded = eps.filter((e) => e.health === 'DEGRADED').sort(byPriority);
  return [...healthy, ...degraded];
}

/** `transport_socket_matches`: the first entry whose criteria all appear in the endpoint's metadata, else the cluster's socket. */
function socketFor(c: Cluster, ep: Endpoint | undefined): { transport: string; passthroughMetadata?: string[] } {
  const md = ep?.transportSocketMatch ?? {};
  const hit = ep ? c.transportSocketMatches?.find((m) => Object.entries(m.match).every(([k, v]) => md[k] === v)) : undefined;
  return hit ?? c;
}

export function transportFor(c: Cluster, ep: Endpoint): string {
  return socketFor(c, ep).transport;
}

/** Whether the internal upstream transport chosen for this endpoint hands a metadata namespace to the internal listener. */
export function passesMetadata(c: Cluster | undefined, namespace: string, ep?: Endpoint): boolean {
  return c === undefined || (socketFor(c, ep).passthroughMetadata ?? []).includes(namespace);
}

export function parseHostPort(s: string): { ip: string; port: number } | undefined {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(s);
  return m ? { ip: m[1], port: Number(m[2]) } : undefined;
}
