import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeFlags } from './kube-flags.ts';
import { CaptureError } from './failure.ts';

/** The cluster connection a capture uses: client-node's config plus what kubectl adds on top of it. */
export interface Connection {
  kc: KubeConfig;
  context: string;
  server: string;
  /** The context's namespace, used when -n is not given. */
  namespace?: string;
  /** Impersonation headers (`--as`, `--as-group`), sent on every call. */
  headers: Record<string, string | string[]>;
  /** Per-call timeout in ms; 0 waits forever. */
  timeoutMs: number;
}

const CONFIG_HINT = 'check --kubeconfig / $KUBECONFIG and --context (kubectl config get-contexts)';

/**
 * Builds the connection kubectl would use for the same flags: the kubeconfig files merged as kubectl
 * merges them (the first file to set a name or current-context wins), then the overrides.
 */
export async function connect(flags: KubeFlags, env: Record<string, string | undefined>): Promise<Connection> {
  // Loaded only here, so commands that never talk to a cluster do not pay for the client.
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  const files = configFiles(flags, env);
  const clusters = new Map<string, unknown>();
  const users = new Map<string, unknown>();
  const contexts = new Map<string, unknown>();
  let current: string | undefined;
  for (const file of files) {
    const one = new k8s.KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (err) {
      throw new CaptureError({ call: 'read kubeconfig', object: file, error: (err as Error).message }, CONFIG_HINT);
    }
    for (const c of one.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.users) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    current ??= one.currentContext || undefined;
  }
  const contextName = flags.context ?? current;
  const base = contextName ? (contexts.get(contextName) as { cluster: string; user: string; namespace?: string } | undefined) : undefined;
  if (flags.context && !base) {
    throw new CaptureError({ call: 'read kubeconfig', object: files.join(path.delimiter) || '(none)', error: `context "${flags.context}" does not exist` }, CONFIG_HINT);
  }
  const clusterName = flags.cluster ?? base?.cluster;
  const userName = flags.user ?? base?.user;
  const cluster = { ...((clusterName ? clusters.get(clusterName) : undefined) ?? { name: clusterName ?? 'cluster', server: '' }) } as Record<string, unknown> & { name: string; server: string };
  const user = { ...((userName ? users.get(userName) : undefined) ?? { name: userName ?? 'user' }) } as Record<string, unknown> & { name: string };
  if (flags.cluster && !clusters.has(flags.cluster)) throw new CaptureError({ call: 'read kubeconfig', object: files.join(path.delimiter) || '(none)', error: `cluster "${flags.cluster}" does not exist` }, CONFIG_HINT);
  if (flags.user && !users.has(flags.user)) throw new CaptureError({ call: 'read kubeconfig', object: files.join(path.delimiter) || '(none)', error: `user "${flags.user}" does not exist` }, CONFIG_HINT);
  if (flags.server) cluster.server = flags.server;
  if (flags.insecureSkipTlsVerify) cluster.skipTLSVerify = true;
  if (flags.certificateAuthority) {
    cluster.caFile = path.resolve(flags.certificateAuthority);
    delete cluster.caData;
  }
  if (flags.token) {
    // A token given on the command line replaces every other credential of the user, as in kubectl.
    for (const key of ['certData', 'certFile', 'keyData', 'keyFile', 'exec', 'authProvider', 'username', 'password']) delete user[key];
    user.token = flags.token;
  }
  if (!cluster.server) {
    throw new CaptureError({ call: 'read kubeconfig', object: files.join(path.delimiter) || '(no kubeconfig found)', error: 'no API server: no current context and no --server' }, `${CONFIG_HINT}, pass --server and --token, or trace a saved snapshot with --snapshot PATH`);
  }
  const name = contextName ?? 'istio-path';
  kc.loadFromOptions({
    clusters: [cluster],
    users: [user],
    contexts: [{ name, cluster: cluster.name, user: user.name, ...(base?.namespace ? { namespace: base.namespace } : {}) }],
    currentContext: name,
  });
  const headers: Record<string, string | string[]> = {};
  if (flags.as) headers['Impersonate-User'] = flags.as;
  if (flags.asGroup?.length) headers['Impersonate-Group'] = flags.asGroup;
  return { kc, context: name, server: cluster.server, namespace: base?.namespace, headers, timeoutMs: parseDuration(flags.requestTimeout ?? '0') };
}

/** `--kubeconfig` alone, else every file of $KUBECONFIG that exists, else ~/.kube/config. */
function configFiles(flags: KubeFlags, env: Record<string, string | undefined>): string[] {
  if (flags.kubeconfig) {
    if (!existsSync(flags.kubeconfig)) throw new CaptureError({ call: 'read kubeconfig', object: flags.kubeconfig, error: 'no such file' }, CONFIG_HINT);
    return [flags.kubeconfig];
  }
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter((f) => f && existsSync(f));
  // HOME as the environment gives it, as kubectl reads it (an in-process caller's env decides).
  const home = env.HOME ?? env.USERPROFILE;
  const file = home ? path.join(home, '.kube', 'config') : undefined;
  return file && existsSync(file) ? [file] : [];
}

/** kubectl's `--request-timeout`: a bare number is seconds; otherwise units h, m, s, ms. */
export function parseDuration(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new CaptureError({ call: 'read flags', object: '--request-timeout', error: `"${text}" is not a duration` }, 'give a number of seconds or a duration such as 30s, 2m, 500ms');
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]], 0);
}
