import { collectionScript, parseCollectionOutput } from '../collect.ts';
import type { ExecResult } from '../exec.ts';
import type { Dumped, NetnsTarget } from './access.ts';
import { describeTarget } from './access.ts';

/**
 * Enters the target netns from a privileged container on the node and runs the collection script
 * there. `$1` is `host` (the container shares the host netns) or `ip`, `$2` the pod's IP, `$3` the
 * script. A pod's netns is found by its address among the named netns (`/var/run/netns`, where CNI
 * plugins put pod sandboxes) and, failing that, the netns of every process visible to the container.
 */
export const ENTER_SCRIPT = `script=$3
case "$1" in
host) exec sh -c "$script" ;;
ip)
  for ns in /var/run/netns/* /run/netns/* /host/proc/[0-9]*/ns/net /proc/[0-9]*/ns/net; do
    [ -e "$ns" ] || continue
    if nsenter --net="$ns" ip -o addr show 2>/dev/null | grep -qF " inet $2/"; then
      exec nsenter --net="$ns" sh -c "$script"
    fi
  done
  echo "no network namespace on this node holds address $2" >&2
  exit 3 ;;
esac
echo "usage: host | ip ADDRESS" >&2
exit 2
`;

/** The argv of one exec that dumps `target` from a container in the node's host netns. */
export function enterCommand(target: NetnsTarget): string[] {
  const how = target.pod ? ['ip', target.pod.ip ?? ''] : ['host', ''];
  return ['sh', '-c', ENTER_SCRIPT, 'istio-path', ...how, collectionScript()];
}

/** The script's output as snapshot files under the target's folder; a failed exec is one failure. */
export function readDump(target: NetnsTarget, r: ExecResult, via: string): Dumped {
  const object = describeTarget(target);
  if (r.code !== 0 && !r.stdout.includes('@@istio-path begin')) {
    return { files: new Map(), failures: [{ call: `exec collection script (${via})`, object, error: `exit code ${r.code}: ${r.stderr.trim() || 'no output'}` }] };
  }
  const { files, failures } = parseCollectionOutput(r.stdout, object);
  return { files: new Map([...files].map(([name, text]) => [`${target.dir}/${name}`, text])), failures };
}
