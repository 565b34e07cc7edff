import { Command, Option } from 'commander';

/** kubectl's cluster flags, spelled as kubectl spells them, as commander hands them to an action. */
export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  allNamespaces?: boolean;
  requestTimeout?: string;
  as?: string;
  asGroup?: string[];
  token?: string;
  server?: string;
  insecureSkipTlsVerify?: boolean;
  certificateAuthority?: string;
}

export const NODE_ACCESS = ['istio-cni', 'debug-pod', 'ephemeral', 'local', 'none'] as const;
export type NodeAccessName = (typeof NODE_ACCESS)[number];

/** Where a live capture reads netns data from, and what it may create to do so. */
export interface CaptureFlags extends KubeFlags {
  nodeAccess?: NodeAccessName;
  debugImage?: string;
  allNodes?: boolean;
}

/** An image with iptables, nft, ip, ipset, ss and nsenter, which the collection script needs. */
export const DEFAULT_DEBUG_IMAGE = 'nicolaka/netshoot:v0.13';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/**
 * Adds kubectl's cluster flags to a command. `trace` and `assert` define `-n` themselves (a
 * snapshot needs it too), so `namespace: false` leaves it out there.
 */
export function kubeFlags(command: Command, options: { namespace: boolean }): Command {
  command.option('--kubeconfig <file>', 'path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)');
  command.option('--context <name>', 'the kubeconfig context to use');
  command.option('--cluster <name>', 'the kubeconfig cluster to use');
  command.option('--user <name>', 'the kubeconfig user to use');
  if (options.namespace) command.option('-n, --namespace <namespace>', 'namespace of names without one (default: the context\'s, then default)');
  command.option('-A, --all-namespaces', 'look for names without a namespace in every namespace');
  command.option('--request-timeout <duration>', 'how long to wait for one API call (1s, 2m, 500ms; 0 waits forever)', '30s');
  command.option('--as <user>', 'user to impersonate for the API calls');
  command.option('--as-group <group>', 'group to impersonate (repeatable)', collect);
  command.option('--token <token>', 'bearer token for the API server');
  command.option('-s, --server <url>', 'address and port of the API server');
  command.option('--insecure-skip-tls-verify', 'do not check the API server certificate (insecure)');
  command.option('--certificate-authority <file>', 'CA certificate file for the API server');
  return command;
}

/** `--node-access`, `--debug-image`: how netns data is read on the nodes. */
export function nodeAccessFlags(command: Command): Command {
  command.addOption(new Option('--node-access <strategy>', 'how netns data is read: istio-cni (default where an istio-cni-node pod runs), debug-pod, ephemeral, local, none').choices(NODE_ACCESS));
  command.option('--debug-image <image>', 'image of the debug pod or ephemeral container', DEFAULT_DEBUG_IMAGE);
  command.option('--all-nodes', 'dump the netns of every node on the path (waypoints\' and proxies\' nodes too), not only the two ends\'');
  return command;
}
