import type { Evidence, Finding, Hop, NetnsData } from '../../model/index.ts';
import type { World } from '../path/world.ts';
import { fwmarkMatches } from '../routing/rules.ts';
import { intendedMode } from './mode.ts';
import { podRef, type WalkedPath } from './path-facts.ts';

/** The mark in-pod ztunnel's connections leave in conntrack (0x111/0xfff), which istio-cni routes back to ztunnel. */
const ZTUNNEL_REPLY_MARK = { value: 0x111, mask: 0xfff };

/**
 * A lost SYN-ACK that leaves the server's netns by another way than its SYN came in. Conntrack holds the
 * connection only where the SYN went, so a reply elsewhere reaches no socket of it, or a netns that
 * drops it as INVALID. In-pod ambient relies on exactly this not happening: ztunnel connects to the
 * app from the client's address, CONNMARK puts 0x111 back on the app's replies, and istio-cni's
 * `ip rule fwmark 0x111/0xfff lookup 100` with `local 0.0.0.0/0 dev lo table 100` returns them to ztunnel.
 */
export function replyMisrouted(world: World, path: WalkedPath): Finding | undefined {
  const lost = path.legs.find((l) => l.handshake?.packet === 'SYN-ACK');
  const syn = lost && path.legs.find((l) => l.n === lost.handshake!.leg);
  if (!lost || !syn || path.verdict !== 'dropped') return undefined;
  const byN = new Map(path.hops.map((h) => [h.n, h]));
  const replyHops = lost.hops.map((n) => byN.get(n)).filter((h): h is Hop => !!h);
  const server = replyHops[0]?.netns;
  const leaving = replyHops.find((h) => h.netns === server && h.action.startsWith('transmit to '));
  if (!server || !leaving) return undefined;
  const entering = syn.hops.map((n) => byN.get(n)).find((h) => h?.action === `transmit to ${server}`);
  const goesTo = leaving.action.slice('transmit to '.length);
  // the reply retraces the SYN: nothing to say
  if (entering && entering.netns === goesTo) return undefined;
  const last = replyHops[replyHops.length - 1];
  const came = entering ? `its SYN came from ${entering.netns}` : `its connection was opened inside ${server} by ${syn.from} from ${syn.src}`;
  const message = `the SYN-ACK of leg ${syn.n} leaves ${server} towards ${goesTo} (hop ${leaving.n}), but ${came}: no conntrack entry waits for it there, and it is lost (hop ${last.n})`;
  const ns = world.netns(server);
  const pod = world.podOf(server);
  const restored = replyHops.find((h) => h.netns === server && h.action.startsWith('CONNMARK --restore-mark') && markMatches(Number(h.packet.after.mark)));
  const intent = pod ? intendedMode(world.snapshot.k8s, pod) : undefined;
  const base = { code: 'reply-misrouted', severity: 'error' as const, hops: [...(restored ? [restored.n] : []), leaving.n, last.n] };
  if (pod && ns?.rules && restored && intent?.mode === 'ambient' && syn.from.endsWith('(ztunnel)') && !ztunnelReplyRule(ns)) {
    return {
      ...base,
      message: `${message}. ${podRef(pod)} is in-pod ambient (${intent.why}) and its replies to ztunnel carry mark 0x111 (hop ${restored.n}), but no ip rule sends fwmark 0x111/0xfff to ztunnel's table, so they follow the main table out of the pod`,
      evidence: [...intent.evidence, ...restored.evidence, ipRulesEvidence(ns)],
      fix: `istio-cni installs "ip rule add fwmark 0x111/0xfff pref 32764 lookup 100" and "ip route add local 0.0.0.0/0 dev lo table 100" in every ambient pod; restart pod ${podRef(pod)} so istio-cni enrolls it again, and check the istio-cni-node logs on ${pod.node ?? 'its node'}`,
    };
  }
  return {
    ...base,
    message,
    evidence: [...(intent?.evidence ?? []), ...leaving.evidence],
    fix: `make replies in ${server} return the way their connections came: a policy route for the mark their connection carries, or a source address that routes back`,
  };
}

function markMatches(mark: number): boolean {
  return ((mark & ZTUNNEL_REPLY_MARK.mask) >>> 0) === ZTUNNEL_REPLY_MARK.value;
}

/** An ip rule that a packet marked 0x111/0xfff matches by its fwmark. */
function ztunnelReplyRule(ns: NetnsData): boolean {
  return (ns.rules ?? []).some((r) => r.fwmark && !r.not && r.action === 'lookup' && fwmarkMatches(r, ZTUNNEL_REPLY_MARK.value));
}

function ipRulesEvidence(ns: NetnsData): Evidence {
  const n = ns.rules?.length ?? 0;
  return { file: `${ns.dir}/ip-rule.json`, pointer: '', text: `${n} ip rule${n === 1 ? '' : 's'}, none for fwmark 0x111/0xfff` };
}
