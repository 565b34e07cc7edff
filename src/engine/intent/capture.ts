import type { Evidence, Finding, K8s, NetnsData, Ruleset } from '../../model/index.ts';
import { cidrContains } from '../net/cidr.ts';
import type { World } from '../path/world.ts';
import { inboundExclusion, outboundExclusion } from './exclusions.ts';
import { intendedMode, type ModeIntent } from './mode.ts';
import { hopsIn, istioRules, podRef, rulesCaptured, rulesFilesEvidence, type WalkedPath } from './path-facts.ts';

export type Side = 'source' | 'destination';

/** The pod was meant to be captured, but its netns holds no Istio rule at all: its traffic leaves (or arrives) unproxied. */
export function captureMissing(world: World, path: WalkedPath, pod: K8s.Pod, side: Side): Finding | undefined {
  const intent = intendedMode(world.snapshot.k8s, pod);
  if (intent.mode === 'none') return undefined;
  const netns = world.podNetnsId(pod);
  const ns = world.netns(netns);
  if (!ns || !rulesCaptured(ns)) return undefined;
  const rules = istioRules(ns);
  if (rules.iptables || rules.nftables || nodeLevelMember(world, pod)) return undefined;
  const hops = hopsIn(path, netns);
  const where = side === 'source' ? hops.find((h) => h.action.startsWith('transmit to')) : hops[hops.length - 1];
  return {
    code: 'capture-missing',
    severity: 'error',
    message: `${side} pod ${podRef(pod)} is meant to be in the mesh (${intent.mode}, ${intent.why}) but its network namespace has no redirection rules, so its traffic ${side === 'source' ? 'leaves' : 'arrives'} without a proxy`,
    hops: where ? [where.n] : [],
    evidence: [...intent.evidence, ...rulesFilesEvidence(ns)],
    fix: intent.mode === 'ambient'
      ? `istio-cni did not (re)install the pod's in-pod rules (typically after a node reboot or an istio-cni restart); restart pod ${podRef(pod)} so istio-cni enrolls it again, and check the istio-cni-node logs on ${pod.node ?? 'its node'}`
      : `the pod's sidecar rules were never installed (istio-init or istio-cni did not run); restart pod ${podRef(pod)} and check the istio-cni-node logs or the istio-init container`,
  };
}

/** 1.18–1.20 ambient captures in the node's netns: membership of `ztunnel-pods-ips` is the pod's capture. */
function nodeLevelMember(world: World, pod: K8s.Pod): Evidence | undefined {
  const node = pod.node ? world.netns(`node:${pod.node}`) : undefined;
  return node?.ipsets?.get('ztunnel-pods-ips')?.members.find((m) => m.value === pod.ip)?.evidence;
}

/** A REDIRECT or TPROXY hands the connection to a port where nothing listens: the kernel refuses it. */
export function captureDeadEnd(world: World, path: WalkedPath): Finding | undefined {
  const last = path.hops[path.hops.length - 1];
  if (path.verdict !== 'dropped' || !last || last.where !== 'socket lookup') return undefined;
  const redirect = [...hopsIn(path, last.netns)].reverse().find((h) => h.n < last.n && /^(REDIRECT|TPROXY) /.test(h.action));
  if (!redirect) return undefined;
  const pod = world.podOf(last.netns);
  const intent: ModeIntent | undefined = pod ? intendedMode(world.snapshot.k8s, pod) : undefined;
  const port = last.packet.before.dst.split(':').pop();
  const tproxyPort = /^TPROXY to [^:]+:(\d+)/.exec(redirect.action)?.[1];
  const target = tproxyPort ?? /REDIRECT to port (\S+)/.exec(redirect.action)?.[1] ?? port;
  const ambient = intent?.mode === 'ambient';
  return {
    code: 'capture-dead-end',
    severity: 'error',
    message: `${last.netns}: the capture rule of hop ${redirect.n} hands the connection to port ${target}, but nothing listens there${ambient ? ' (no ztunnel socket in the pod)' : ''}: the connection is refused`,
    hops: [redirect.n, last.n],
    evidence: [...(intent?.evidence ?? []), ...redirect.evidence, ...last.evidence],
    fix: ambient
      ? `ztunnel has not attached to this pod (it holds no socket in its network namespace, e.g. after a ztunnel restart or a node reboot); restart the ztunnel pod on ${pod?.node ?? 'this node'}, then pod ${pod ? podRef(pod) : last.netns} if its sockets do not come back`
      : `the proxy that should own port ${target} is not listening; check the istio-proxy container of ${pod ? podRef(pod) : last.netns}`,
  };
}

/** A `traffic.sidecar.istio.io/*` exclusion lets this connection past the sidecar: name the annotation and the rule that obeys it. */
export function captureExcluded(world: World, path: WalkedPath, pod: K8s.Pod, side: Side, dst: { ip: string; port: number }): Finding | undefined {
  const netns = world.podNetnsId(pod);
  const ns = world.netns(netns);
  if (!ns) return undefined;
  const proxied = path.hops.some((h) => h.netns === netns && h.component === 'sidecar');
  if (proxied) return undefined;
  const exclusion = side === 'source' ? outboundExclusion(pod, dst.ip, dst.port) : inboundExclusion(pod, dst.port);
  if (!exclusion) return undefined;
  const rule = exclusionRule(ns, side, dst);
  const hops = hopsIn(path, netns);
  const at = side === 'source' ? hops.find((h) => h.action.startsWith('transmit to')) : hops[hops.length - 1];
  return {
    code: 'capture-excluded',
    severity: 'warning',
    message: `${side} pod ${podRef(pod)} excludes ${exclusion.matched} from its sidecar (${exclusion.annotation}=${exclusion.value}), so this connection ${side === 'source' ? 'leaves' : 'arrives'} without going through the sidecar`,
    hops: at ? [at.n] : [],
    evidence: [exclusion.evidence, ...(rule ? [rule] : [])],
    fix: `if this traffic should be proxied, remove ${exclusion.matched} from ${exclusion.annotation} on the pod template; the rules change only when the pod is recreated`,
  };
}

/** The RETURN rule istio-iptables (or its nftables twin) wrote for the exclusion. */
function exclusionRule(ns: NetnsData, side: Side, dst: { ip: string; port: number }): Evidence | undefined {
  const chainName = side === 'source' ? /^(ISTIO_OUTPUT|istio-output)$/ : /^(ISTIO_INBOUND|istio-inbound)$/;
  const rulesets: Ruleset[] = [ns.iptables, ns.nftables].filter((r): r is Ruleset => !!r);
  for (const rs of rulesets) {
    for (const chain of rs.chains.values()) {
      if (!chainName.test(chain.name)) continue;
      const rule = chain.rules.find((r) => r.actions.some((a) => a.kind === 'return') && r.matches.some((m) =>
        !m.negate && ((m.kind === 'dport' && m.ranges.some(([a, b]) => dst.port >= a && dst.port <= b))
          || (side === 'source' && m.kind === 'daddr' && m.cidrs.some((c) => c.includes('/') && !c.endsWith('/32') && cidrContains(c, dst.ip))))));
      if (rule) return rule.evidence;
    }
  }
  return undefined;
}

/** Both a sidecar's rules and ambient redirection capture the same pod: two proxies fight over its traffic. */
export function doubleCapture(world: World, path: WalkedPath, pod: K8s.Pod): Finding | undefined {
  const netns = world.podNetnsId(pod);
  const ns = world.netns(netns);
  if (!ns) return undefined;
  const sidecar = sidecarRules(ns);
  const ambient = ambientRules(ns) ?? nodeLevelMember(world, pod);
  if (!sidecar || !ambient) return undefined;
  const proxies = path.hops.filter((h) => (h.component === 'sidecar' || h.component === 'ztunnel') && h.action.startsWith('accept'));
  return {
    code: 'double-capture',
    severity: 'error',
    message: `pod ${podRef(pod)} is captured twice: by sidecar rules and by ambient redirection${proxies.length > 1 ? `; the path goes through ${proxies.map((h) => h.component).join(' then ')}` : ''}`,
    hops: proxies.map((h) => h.n),
    evidence: [sidecar, ambient],
    fix: `a pod runs either a sidecar or ambient, not both: label it istio.io/dataplane-mode=none to keep the sidecar, or set sidecar.istio.io/inject=false to keep ambient, then recreate pod ${podRef(pod)}`,
  };
}

function sidecarRules(ns: NetnsData): Evidence | undefined {
  const ipt = ns.iptables && [...ns.iptables.chains.values()].find((c) => c.name === 'ISTIO_INBOUND' || c.name === 'ISTIO_REDIRECT');
  const nft = ns.nftables && [...ns.nftables.chains.values()].find((c) => c.table.startsWith('istio-proxy'));
  return ipt?.evidence ?? nft?.evidence;
}

function ambientRules(ns: NetnsData): Evidence | undefined {
  const ipt = ns.iptables && [...ns.iptables.chains.values()].find((c) => c.name === 'ISTIO_PRERT');
  const nft = ns.nftables && [...ns.nftables.chains.values()].find((c) => c.table.startsWith('istio-ambient'));
  return ipt?.evidence ?? nft?.evidence;
}

