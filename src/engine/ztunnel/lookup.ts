import type { ZService, ZServiceEndpoint, ZtunnelState, ZWorkload } from '../../model/ztunnel.ts';

/** Address → workload/service indexes over one dump, keyed the way ztunnel keys them (`network/IP`). */
export interface ZIndex {
  state: ZtunnelState;
  workloadByAddr(network: string, ip: string): ZWorkload | undefined;
  /** The source of an outbound connection: ztunnel looks it up on its own network, which the dump does not name. */
  workloadByIp(ip: string): ZWorkload | undefined;
  workloadByUid(uid: string): ZWorkload | undefined;
  serviceByVip(network: string, ip: string): ZService | undefined;
  serviceByHostname(namespace: string, hostname: string): ZService | undefined;
  workloadByHostname(namespace: string, hostname: string): ZWorkload | undefined;
  endpointWorkload(ep: ZServiceEndpoint): ZWorkload | undefined;
}

const cache = new WeakMap<ZtunnelState, ZIndex>();

export function indexOf(state: ZtunnelState): ZIndex {
  let ix = cache.get(state);
  if (!ix) {
    ix = buildIndex(state);
    cache.set(state, ix);
  }
  return ix;
}

const key = (network: string | undefined, ip: string) => `${network ?? ''}/${ip}`;

function buildIndex(state: ZtunnelState): ZIndex {
  const byAddr = new Map<string, ZWorkload>();
  const byIp = new Map<string, ZWorkload>();
  const byUid = new Map<string, ZWorkload>();
  for (const w of state.workloads) {
    for (const ip of w.ips) {
      if (!byAddr.has(key(w.network, ip))) byAddr.set(key(w.network, ip), w);
      // The default network wins when the same IP is listed on several networks.
      if (!byIp.has(ip) || !w.network) byIp.set(ip, w);
    }
    if (w.uid) byUid.set(w.uid, w);
  }
  const byVip = new Map<string, ZService>();
  for (const s of state.services) {
    for (const a of s.networkVips ?? s.vips.map((ip) => ({ network: '', ip }))) if (!byVip.has(key(a.network, a.ip))) byVip.set(key(a.network, a.ip), s);
  }
  const legacy = state.schema === 'legacy-1.18';
  return {
    state,
    workloadByAddr: (network, ip) => byAddr.get(key(network, ip)),
    workloadByIp: (ip) => byIp.get(ip),
    workloadByUid: (uid) => byUid.get(uid),
    serviceByVip: (network, ip) => byVip.get(key(network, ip)),
    serviceByHostname: (namespace, hostname) => state.services.find((s) => s.hostname === hostname && s.namespace === namespace),
    workloadByHostname: (namespace, hostname) => state.workloads.find((w) => w.hostname === hostname && w.namespace === namespace),
    // 1.18 endpoints name their pod by IP; later ones by workload UID.
    endpointWorkload: (ep) => (legacy ? byAddr.get(key('', ep.workload)) : byUid.get(ep.workload)),
  };
}

export function identityOf(w: ZWorkload): string {
  return `spiffe://${w.trustDomain ?? 'cluster.local'}/ns/${w.namespace}/sa/${w.serviceAccount ?? 'default'}`;
}

export function workloadLabel(w: ZWorkload): string {
  return `${w.namespace}/${w.name}`;
}

export function serviceLabel(s: ZService): string {
  return s.name ? `service ${s.namespace}/${s.name}` : 'VIP';
}
