import { readSnapshot } from '../snapshot/read.ts';
import { resolveDestination, resolveSource, type Target } from '../engine/resolve.ts';
import { traceRequest, type TraceTarget } from '../engine/path/trace.ts';
import { renderText } from '../render/text.ts';
import { renderJson, renderYaml } from '../render/data.ts';
import type { Snapshot, Trace } from '../model/index.ts';
import { CliError, EXIT } from './exit.ts';
import type { Io } from './io.ts';
import type { Output, TraceFlags } from './trace.ts';

export async function runTrace(source: string, destination: string, flags: TraceFlags, io: Io): Promise<void> {
  const snapshot = await loadSnapshot(flags.snapshot);
  const trace = computeTrace(snapshot, source, destination, flags, io);
  io.stdout(render(trace, flags.output, io));
}

export async function loadSnapshot(path: string | undefined): Promise<Snapshot> {
  if (!path) {
    throw new CliError('no --snapshot given: live capture from a cluster is not available in this build; trace a snapshot directory or .tar.gz with --snapshot PATH', EXIT.input);
  }
  return readSnapshot(path);
}

/** Resolves both arguments against the snapshot's Kubernetes objects and walks the path. */
export function computeTrace(snapshot: Snapshot, source: string, destination: string, flags: Pick<TraceFlags, 'namespace' | 'port'>, io: Io): Trace {
  const src = resolveSource(snapshot.k8s, source, { namespace: flags.namespace });
  const dst = resolveDestination(snapshot.k8s, destination, { namespace: flags.namespace, port: flags.port });
  for (const note of [src.note, dst.note]) if (note) io.stderr(`note: ${note}\n`);
  return traceRequest(snapshot, { source: { query: source, pod: src.pod }, destination: { query: destination, target: toTraceTarget(dst, destination) } });
}

function toTraceTarget(t: Target, text: string): TraceTarget {
  if (t.kind === 'service') return { kind: 'service', service: t.service, port: t.port };
  if (t.port === undefined) throw new CliError(`no port for "${text}": give one as ${text}:PORT or --port`, EXIT.usage);
  return t.kind === 'pod' ? { kind: 'pod', pod: t.pod, port: t.port } : { kind: 'ip', ip: t.ip, port: t.port };
}

export function render(trace: Trace, output: Output, io: Io): string {
  switch (output) {
    case 'json': return renderJson(trace);
    case 'yaml': return renderYaml(trace);
    case 'wide': return renderText(trace, { color: io.color, wide: true });
    case 'text': return renderText(trace, { color: io.color, wide: false });
  }
}
