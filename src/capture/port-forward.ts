import { PassThrough, Writable } from 'node:stream';
import type { KubeApi } from './api.ts';
import type { Call } from './errors.ts';
import { socketConfig, upgradeError } from './exec.ts';
import { CaptureError } from './failure.ts';
import { parseHttpResponse } from './http-response.ts';

/**
 * GETs `path` from a port of the pod through the `portforward` subresource, the way istioctl reads
 * an Envoy admin endpoint: one HTTP/1.1 request written on the data channel, the answer read back
 * until it is complete.
 */
export async function portForwardGet(api: KubeApi, target: { namespace: string; pod: string }, port: number, path: string, timeoutMs = api.conn.timeoutMs): Promise<string> {
  const call: Call = { verb: 'create', resource: 'pods/portforward', namespace: target.namespace, name: target.pod };
  const fail = (error: string, hint: string) => new CaptureError({ call: `${call.verb} ${call.resource}`, object: `${target.namespace}/${target.pod}:${port}`, error: `GET ${path}: ${error}` }, hint);
  return api.record(call, async () => {
    const k8s = await import('@kubernetes/client-node');
    const { WebSocketHandler } = await import('@kubernetes/client-node/dist/web-socket-handler.js');
    const handler = new WebSocketHandler(socketConfig(api) as never);
    const forward = new k8s.PortForward(api.conn.kc, true, handler);
    const chunks: Buffer[] = [];
    let errors = '';
    return new Promise<string>((resolve, reject) => {
      let ws: { close(): void; on(e: string, f: () => void): void } | undefined;
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws?.close();
        fn();
      };
      const check = (closed: boolean) => {
        let response;
        try {
          response = parseHttpResponse(Buffer.concat(chunks), closed);
        } catch (err) {
          return finish(() => reject(fail((err as Error).message, 'the port does not serve HTTP; is it the admin port?')));
        }
        if (response) {
          finish(() => response.status === 200
            ? resolve(response.body.toString('utf8'))
            : reject(fail(`the admin endpoint answered ${response.status}: ${response.body.toString('utf8').slice(0, 120).trim()}`, 'check the proxy\'s admin interface')));
        } else if (closed) {
          finish(() => reject(errors
            ? fail(errors.trim(), 'the proxy may not listen on its admin port, or the pod is restarting')
            : fail('the port-forward closed mid-stream', 'the pod may have restarted or the connection to the API server dropped; run the command again')));
        }
      };
      const output = new Writable({ write(chunk: Buffer, _e, cb) { chunks.push(Buffer.from(chunk)); check(false); cb(); } });
      const err = new Writable({ write(chunk: Buffer, _e, cb) { errors += chunk.toString('utf8'); cb(); } });
      const input = new PassThrough();
      const timer = timeoutMs ? setTimeout(() => finish(() => reject(fail(`no complete answer within ${timeoutMs / 1000}s`, 'raise --request-timeout; a large config dump takes time'))), timeoutMs) : undefined;
      forward.portForward(target.namespace, target.pod, [port], output, err, input).then((socket) => {
        const opened = socket as unknown as { close(): void; on(e: string, f: () => void): void };
        ws = opened;
        opened.on('close', () => check(true));
        input.write(`GET ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
      }, (e: Error) => finish(() => reject(upgradeError(call, e, timeoutMs))));
    });
  });
}
