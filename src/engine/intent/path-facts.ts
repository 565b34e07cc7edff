import type { Evidence, Hop, K8s, Leg, NetnsData, Verdict } from '../../model/index.ts';
import type { World } from '../path/world.ts';

/** The path as the stepper walked it: what every check holds against the intent. */
export interface WalkedPath {
  hops: Hop[];
  legs: Leg[];
  verdict: Verdict;
}

/** A leg's two ends as hops: the proxy decision that opened it (none for the app's own leg) and the socket that accepted it. */
export interface LegEnds {
  leg: Leg;
  opener?: Hop;
  acceptor?: Hop;
}

export function legEnds(path: WalkedPath): LegEnds[] {
  const byN = new Map(path.hops.map((h) => [h.n, h]));
  // a lost handshake packet's leg opens nothing: the legs of the path are the connections
  const legs = path.legs.filter((leg) => !leg.handshake);
  return legs.map((leg, i) => {
    const prev = i > 0 ? legs[i - 1] : undefined;
    const opener = prev ? byN.get(prev.hops[prev.hops.length - 1]) : undefined;
    const acceptor = leg.hops.map((n) => byN.get(n)).find((h): h is Hop => !!h && h.component !== 'kernel' && h.action.startsWith('accept'));
    return { leg, opener, acceptor };
  });
}

/** Hops of one netns, in order. */
export function hopsIn(path: WalkedPath, netns: string): Hop[] {
  return path.hops.filter((h) => h.netns === netns);
}

/** The pod the path was delivered to, or the one it was aimed at. */
export function destinationPod(world: World, path: WalkedPath, aimed: K8s.Pod | undefined): K8s.Pod | undefined {
  const last = path.hops[path.hops.length - 1];
  if (path.verdict === 'delivered' && last?.component === 'app') return world.podOf(last.netns) ?? aimed;
  return aimed;
}

/** Istio's rules in a netns, by backend: chains named ISTIO_* (iptables) or tables named istio-* (nftables). */
export interface IstioRules {
  iptables?: Evidence;
  nftables?: Evidence;
}

export function istioRules(ns: NetnsData): IstioRules {
  const out: IstioRules = {};
  for (const rs of [ns.iptables, ns.ip6tables]) {
    const chain = rs && [...rs.chains.values()].find((c) => c.name.startsWith('ISTIO_'));
    if (chain && !out.iptables) out.iptables = chain.evidence;
  }
  const nft = ns.nftables && [...ns.nftables.chains.values()].find((c) => c.table.startsWith('istio'));
  if (nft) out.nftables = nft.evidence;
  return out;
}

/** What says "no rules": the dump files of the netns that were captured. */
export function rulesFilesEvidence(ns: NetnsData): Evidence[] {
  const files = ['iptables-save.txt', 'nft.json'].map((f) => `${ns.dir}/${f}`).filter((f) => !ns.missing.includes(f));
  // The claim is about the whole file: a text dump is cited from its first line (which even an empty dump
  // has), nft's JSON from its rule list.
  const text = 'no Istio redirection rules (no ISTIO_* chain, no istio-* table)';
  return files.map((file) => (file.endsWith('.json') ? { file, pointer: '/nftables', text } : { file, line: 1, text }));
}

/** Whether the netns's rules were captured at all: without them, no absence can be claimed. */
export function rulesCaptured(ns: NetnsData): boolean {
  return !!(ns.iptables || ns.nftables || ns.ip6tables) || ['iptables-save.txt', 'nft.json'].some((f) => !ns.missing.includes(`${ns.dir}/${f}`));
}

export const podRef = (pod: K8s.Pod): string => `${pod.namespace}/${pod.name}`;
