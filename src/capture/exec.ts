import { Writable } from 'node:stream';
import type { KubeApi } from './api.ts';
import { callError, type Call } from './errors.ts';
import { CaptureError } from './failure.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** The command's exit code, from the status the API server sends on channel 3. */
  code: number;
}

/**
 * A stand-in for client-node's KubeConfig in its WebSocket handler: the same cluster and TLS
 * options the API calls use, plus the impersonation headers client-node does not know.
 */
export function socketConfig(api: KubeApi): unknown {
  return {
    getCurrentCluster: () => api.conn.kc.getCurrentCluster(),
    applyToHTTPSOptions: async (opts: Record<string, unknown>) => {
      const base = await api.requestOptions();
      Object.assign(opts, base, { headers: { ...(opts.headers as object), ...base.headers } });
    },
  };
}

/** Runs a command in a container through the `exec` subresource (WebSocket, v5/v4 channel protocol). */
export async function exec(api: KubeApi, target: { namespace: string; pod: string; container?: string }, command: string[], timeoutMs = api.conn.timeoutMs): Promise<ExecResult> {
  const call: Call = { verb: 'create', resource: 'pods/exec', namespace: target.namespace, name: target.pod };
  return api.record(call, async () => {
    const k8s = await import('@kubernetes/client-node');
    const { WebSocketHandler } = await import('@kubernetes/client-node/dist/web-socket-handler.js');
    const handler = new WebSocketHandler(socketConfig(api) as never);
    const runner = new k8s.Exec(api.conn.kc, handler);
    const stdout = collector();
    const stderr = collector();
    return new Promise<ExecResult>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = timeoutMs ? setTimeout(() => finish(() => {
        socket?.close();
        reject(callError(call, { message: 'timed out', code: 'ETIMEDOUT' }, timeoutMs));
      }), timeoutMs) : undefined;
      let socket: { close(): void; on?: (e: string, f: () => void) => void } | undefined;
      runner.exec(target.namespace, target.pod, target.container ?? '', command, stdout.stream, stderr.stream, null, false, (status) => {
        finish(() => resolve({ stdout: stdout.text(), stderr: stderr.text(), code: exitCode(status) }));
      }).then((ws) => {
        socket = ws as never;
        (ws as unknown as { on(e: string, f: () => void): void }).on('close', () => finish(() => reject(new CaptureError({ call: `${call.verb} ${call.resource}`, object: `${target.namespace}/${target.pod}`, error: 'the connection closed before the command reported its exit status' }, 'the pod may have been deleted or the API server restarted; run the command again'))));
      }, (err: Error) => finish(() => reject(upgradeError(call, err, timeoutMs))));
    });
  });
}

/** The exit code in an exec status: 0 for Success, the `ExitCode` cause otherwise. */
function exitCode(status: { status?: string; details?: { causes?: { reason?: string; message?: string }[] } }): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message !== undefined && /^\d+$/.test(cause.message) ? Number(cause.message) : 1;
}

/** ws reports a refused upgrade as "Unexpected server response: 403"; that status is what the user needs. */
export function upgradeError(call: Call, err: Error & { code?: string }, timeoutMs: number): CaptureError {
  const status = /Unexpected server response: (\d+)/.exec(err.message)?.[1];
  return callError(call, status ? { status: Number(status), message: err.message } : { message: err.message, code: err.code }, timeoutMs);
}

export function collector(): { stream: Writable; text: () => string; buffer: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8'), buffer: () => Buffer.concat(chunks) };
}
