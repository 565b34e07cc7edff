import type { Evidence, Finding, K8s } from '../../model/index.ts';
import type { World } from '../path/world.ts';
import { intendedMode } from './mode.ts';
import { legEnds, podRef, type WalkedPath } from './path-facts.ts';

const HBONE_PORT = 15008;

/**
 * A proxy opened a plain TCP leg to another proxy that could have taken HBONE (it listens on 15008) or,
 * between two sidecars, mutual TLS. The app's own leg and a proxy's delivery to its local app are not mesh legs.
 */
export function plaintextBetweenMeshed(world: World, path: WalkedPath): Finding[] {
  return legEnds(path).flatMap(({ leg, opener, acceptor }) => {
    if (leg.protocol !== 'tcp' || !opener || !acceptor) return [];
    if (opener.component === 'app' || opener.component === 'kernel' || acceptor.component === 'app' || acceptor.component === 'kernel') return [];
    if (opener.netns === acceptor.netns) return [];
    const ns = world.netns(acceptor.netns);
    const hbone = ns?.sockets?.find((s) => s.port === HBONE_PORT);
    const mtls = opener.component === 'sidecar' && acceptor.component === 'sidecar';
    if (!hbone && !mtls) return [];
    const pod = world.podOf(acceptor.netns);
    const intent = pod ? intendedMode(world.snapshot.k8s, pod) : undefined;
    const pa = pod ? peerAuthentication(world, pod) : undefined;
    const evidence: Evidence[] = [...(intent?.evidence ?? []), ...opener.evidence, ...(hbone ? [hbone.evidence] : []), ...(pa ? [pa.evidence] : [])];
    const possible = hbone ? `it accepts HBONE on ${HBONE_PORT}` : 'both ends are sidecars';
    return [{
      code: 'plaintext-between-meshed',
      severity: 'warning',
      message: `leg ${leg.n} (${leg.from} → ${leg.to}) is plain TCP although ${possible}: ${opener.component} chose "${opener.action}"${pa ? `; PeerAuthentication ${pa.namespace}/${pa.name} sets mTLS ${pa.mode}` : ''}`,
      hops: [opener.n, acceptor.n],
      evidence,
      fix: opener.component === 'ztunnel'
        ? `ztunnel sends HBONE only to workloads its config marks HBONE; ${pod ? `check that istio-cni enrolled ${podRef(pod)} (annotation ambient.istio.io/redirection) and that istiod pushed it as HBONE` : 'check the destination workload in ztunnel\'s config'}`
        : pa ? `PeerAuthentication ${pa.namespace}/${pa.name} turns mTLS off; remove it or set mode STRICT or PERMISSIVE` : 'check the DestinationRule TLS settings and the destination endpoint\'s security.istio.io/tlsMode label',
    }];
  });
}

/** The PeerAuthentication that governs a pod: a workload selector wins over its namespace's. */
function peerAuthentication(world: World, pod: K8s.Pod): K8s.PeerAuthentication | undefined {
  const all = world.snapshot.k8s.peerAuthentications?.filter((p) => p.namespace === pod.namespace) ?? [];
  const selected = all.find((p) => p.selector && Object.entries(p.selector).every(([k, v]) => pod.labels[k] === v));
  const chosen = selected ?? all.find((p) => !p.selector);
  return chosen?.mode === 'DISABLE' ? chosen : undefined;
}
