import { readSnapshot } from '../snapshot/read.ts';
import { resolveDestination, resolveSource, type Target } from '../engine/resolve.ts';
import { traceRequest, type TraceTarget } from '../engine/path/trace.ts';
import { renderText } from '../render/text.ts';
import { renderJson, renderYaml } from '../render/data.ts';
import { renderMermaid } from '../render/mermaid.ts';
import { renderDot } from '../render/dot.ts';
import { renderHtml } from '../render/html.ts';
import type { Snapshot, Trace } from '../model/index.ts';
import { CliError, EXIT } from './exit.ts';
import type { Io } from './io.ts';
import type { Output, TraceFlags } from './trace.ts';

export async function runTrace(source: string, destination: string, flags: TraceFlags, io: Io): Promise<void> {
  const { snapshot, namespace } = flags.snapshot ? { snapshot: await loadSnapshot(flags.snapshot, flags.maxSnapshotBytes), namespace: flags.namespace } : await captureSnapshot(source, destination, flags, io);
  const trace = computeTrace(snapshot, source, destination, { ...flags, namespace }, io);
  if (flags.interactive && process.stdout.isTTY && process.stdin.isTTY) {
    // ink and react load only here, so every other run starts without them.
    const { explore } = await import('../render/explorer/run.ts');
    await explore(trace);
    return;
  }
  io.stdout(await render(trace, flags.output, io));
}

export async function loadSnapshot(path: string | undefined, maxBytes?: number): Promise<Snapshot> {
  if (!path) {
    throw new CliError('no --snapshot given: live capture from a cluster is not available in this build; trace a snapshot directory or .tar.gz with --snapshot PATH', EXIT.input);
  }
  return readSnapshot(path, { maxBytes });
}

/** No --snapshot: capture the pair from the cluster the kube flags name (the client loads only here). */
async function captureSnapshot(source: string, destination: string, flags: TraceFlags, io: Io): Promise<{ snapshot: Snapshot; namespace: string }> {
  const { liveSnapshot, LiveCaptureError } = await import('../capture/live.ts');
  try {
    return await liveSnapshot({ pairs: [{ source, destination, port: flags.port }], namespace: flags.namespaceGiven === false ? undefined : flags.namespace, flags, env: io.env, stderr: io.stderr }, flags.saveSnapshot);
  } catch (err) {
    throw err instanceof LiveCaptureError ? new CliError(err.message, EXIT.input) : err;
  }
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

export async function render(trace: Trace, output: Output, io: Io): Promise<string> {
  switch (output) {
    case 'mermaid': return renderMermaid(trace);
    case 'dot': return renderDot(trace);
    case 'html': return renderHtml(trace);
    case 'json': return renderJson(trace);
    case 'yaml': return renderYaml(trace);
    case 'wide': return renderText(trace, { color: io.color, wide: true });
    case 'text': return renderText(trace, { color: io.color, wide: false });
  }
}
