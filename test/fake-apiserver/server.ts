import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { fieldError, matchFields, matchLabels } from './selectors.ts';

/**
 * A loopback Kubernetes API server for tests: it serves the objects of a snapshot (lists, gets,
 * label and field selectors), creates and deletes pods, and speaks the exec (v5/v4.channel.k8s.io)
 * and portforward WebSocket protocols, with faults and latency on demand.
 */

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  /** The pod object exec'd into. */
  object: any;
}

export interface ExecReply {
  stdout: string;
  stderr?: string;
  code: number;
}

/** A scripted failure: the first request matching `method` and `path` gets it. */
export interface Fault {
  method?: string;
  path: RegExp;
  status?: number;
  message?: string;
  /** Close the connection without an answer (port-forward: after the first bytes of the answer). */
  drop?: boolean;
  /** Answer only after this long. */
  delayMs?: number;
  /** How many requests it applies to; unlimited when absent. */
  times?: number;
}

export interface FakeOptions {
  /** Kubernetes lists by resource plural (`pods`, `services`, `endpointslices`, `nodes`, `namespaces`). */
  objects: Record<string, any[]>;
  /** Scripted exec; undefined falls back to "command not found". */
  exec?: (req: ExecRequest) => Promise<ExecReply> | ExecReply;
  /** What the pod serves on a port, by `namespace/pod:port` → path → body; absent = connection refused. */
  http?: (pod: any, port: number, path: string) => { status: number; body: string } | undefined;
  token?: string;
  tls?: boolean;
  latencyMs?: number;
  faults?: Fault[];
}

export interface Request {
  method: string;
  path: string;
  at: number;
}

export interface FakeApiServer {
  url: string;
  ca?: string;
  requests: Request[];
  objects: Record<string, any[]>;
  faults: Fault[];
  close(): Promise<void>;
  /** Writes a kubeconfig pointing at this server and returns its path. */
  kubeconfig(options?: { token?: string; namespace?: string; context?: string }): Promise<string>;
}

const GROUPS: Record<string, string> = { pods: 'v1', services: 'v1', nodes: 'v1', namespaces: 'v1', endpointslices: 'discovery.k8s.io/v1', deployments: 'apps/v1', statefulsets: 'apps/v1', daemonsets: 'apps/v1' };
const KINDS: Record<string, string> = { pods: 'Pod', services: 'Service', nodes: 'Node', namespaces: 'Namespace', endpointslices: 'EndpointSlice', deployments: 'Deployment', statefulsets: 'StatefulSet', daemonsets: 'DaemonSet' };
const CLUSTER_SCOPED = new Set(['nodes', 'namespaces']);

export async function startFakeApiServer(options: FakeOptions): Promise<FakeApiServer> {
  const objects: Record<string, any[]> = {};
  for (const r of Object.keys(GROUPS)) objects[r] = structuredClone(options.objects[r] ?? []);
  const requests: Request[] = [];
  const faults = options.faults ?? [];
  const dir = await mkdtemp(path.join(tmpdir(), 'fake-apiserver-'));
  const tls = options.tls !== false ? certificate(dir) : undefined;

  const fault = (method: string, p: string): Fault | undefined => {
    const f = faults.find((x) => (!x.method || x.method === method) && x.path.test(p) && (x.times === undefined || x.times > 0));
    if (f && f.times !== undefined) f.times--;
    return f;
  };
  const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://fake');
    requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, at: performance.now() });
    await delay(options.latencyMs ?? 0);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string) => send(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) return status(401, 'Unauthorized', 'Unauthorized');
    const f = fault(req.method ?? 'GET', url.pathname + url.search);
    if (f) {
      if (f.delayMs) await delay(f.delayMs);
      if (f.drop) return req.socket.destroy();
      if (f.status) return status(f.status, f.status === 403 ? 'Forbidden' : 'InternalError', f.message ?? `fault ${f.status}`);
    }
    const body = await readBody(req);
    const route = parseRoute(url.pathname);
    if (!route) return discovery(url.pathname, send) ?? status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const list = objects[route.resource];
    if (!list) return status(404, 'NotFound', `the server could not find the requested resource`);
    const inScope = (o: any) => CLUSTER_SCOPED.has(route.resource) || !route.namespace || o.metadata.namespace === route.namespace;
    const id = (o: any) => inScope(o) && o.metadata.name === route.name;
    if (req.method === 'GET' && !route.name) {
      const fs = url.searchParams.get('fieldSelector');
      const err = fieldError(route.resource, fs);
      if (err) return status(400, 'BadRequest', err);
      const items = list.filter((o) => inScope(o) && matchLabels(url.searchParams.get('labelSelector'), o.metadata.labels ?? {}) && matchFields(route.resource, fs, o));
      return send(200, { kind: `${KINDS[route.resource]}List`, apiVersion: GROUPS[route.resource], metadata: { resourceVersion: '1' }, items });
    }
    const found = list.find(id);
    const notFound = () => status(404, 'NotFound', `${route.resource} "${route.name}" not found`);
    if (req.method === 'GET') return found ? send(200, found) : notFound();
    if (req.method === 'DELETE') {
      if (!found) return notFound();
      list.splice(list.indexOf(found), 1);
      return send(200, found);
    }
    if (req.method === 'POST' && !route.name) {
      const o = JSON.parse(body);
      o.metadata.namespace = route.namespace;
      if (route.resource === 'pods') o.status = { phase: 'Running', podIP: '10.99.0.1' };
      list.push(o);
      return send(201, o);
    }
    if (req.method === 'PATCH' && route.sub === 'ephemeralcontainers') {
      if (!found) return notFound();
      const patch = JSON.parse(body);
      found.spec.ephemeralContainers = [...(found.spec.ephemeralContainers ?? []), ...patch.spec.ephemeralContainers];
      found.status.ephemeralContainerStatuses = found.spec.ephemeralContainers.map((c: any) => ({ name: c.name, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }));
      return send(200, found);
    }
    return status(405, 'MethodNotAllowed', `${req.method} is not supported here`);
  };

  // A client that gave up (a timeout under test) aborts its request; that is no failure of the fake.
  const serve = (q: http.IncomingMessage, s: http.ServerResponse) => void handler(q, s).catch(() => s.destroy());
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, serve) : http.createServer(serve);
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => ['v5.channel.k8s.io', 'v4.channel.k8s.io'].find((p) => offered.has(p)) ?? false });
  server.on('upgrade', async (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'https://fake');
    requests.push({ method: 'UPGRADE', path: `${url.pathname}${url.search}`, at: performance.now() });
    await delay(options.latencyMs ?? 0);
    const refuse = (code: number, message: string) => {
      socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ kind: 'Status', status: 'Failure', code, message })}`);
    };
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) return refuse(401, 'Unauthorized');
    const f = fault('UPGRADE', url.pathname + url.search);
    if (f?.status) return refuse(f.status, f.message ?? `fault ${f.status}`);
    const route = parseRoute(url.pathname);
    const pod = route && objects.pods.find((o) => o.metadata.namespace === route.namespace && o.metadata.name === route.name);
    if (!route || !pod) return refuse(404, `pods "${route?.name}" not found`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (route.sub === 'exec') void serveExec(ws, pod, url, options);
      else if (route.sub === 'portforward') servePortForward(ws, pod, url, options, f);
      else ws.close();
    });
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url,
    ca: tls?.caFile,
    requests,
    objects,
    faults,
    close: () => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections?.();
      server.close(() => r());
    }),
    async kubeconfig(o = {}) {
      const file = path.join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
      const ctx = o.context ?? 'fake';
      await writeFile(file, [
        'apiVersion: v1',
        'kind: Config',
        `current-context: ${ctx}`,
        'clusters:',
        `- name: ${ctx}-cluster`,
        '  cluster:',
        `    server: ${url}`,
        tls ? `    certificate-authority: ${tls.caFile}` : '    insecure-skip-tls-verify: true',
        'users:',
        `- name: ${ctx}-user`,
        '  user:',
        `    token: ${o.token ?? options.token ?? 'unused'}`,
        'contexts:',
        `- name: ${ctx}`,
        '  context:',
        `    cluster: ${ctx}-cluster`,
        `    user: ${ctx}-user`,
        ...(o.namespace ? [`    namespace: ${o.namespace}`] : []),
        '',
      ].join('\n'));
      return file;
    },
  };
}

function parseRoute(p: string): { resource: string; namespace?: string; name?: string; sub?: string } | undefined {
  const m = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+)(?=\/))?\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/.exec(p);
  if (!m) return undefined;
  // `/api/v1/namespaces/NAME` is the namespace object itself.
  if (!m[1] && m[2] === 'namespaces' && m[3] && !m[4]) return { resource: 'namespaces', name: decodeURIComponent(m[3]) };
  return { namespace: m[1] && decodeURIComponent(m[1]), resource: m[2], name: m[3] && decodeURIComponent(m[3]), sub: m[4] };
}

/** What kubectl reads before its first request: the legacy (unaggregated) discovery documents. */
function discovery(p: string, send: (s: number, b: unknown) => void): true | undefined {
  const verbs = ['get', 'list', 'create', 'delete', 'patch'];
  if (p === '/api') send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
  else if (p === '/apis') send(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: ['discovery.k8s.io', 'apps'].map((name) => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })) });
  else if (p === '/api/v1' || p === '/apis/discovery.k8s.io/v1' || p === '/apis/apps/v1') {
    const gv = p === '/api/v1' ? 'v1' : p.slice('/apis/'.length);
    const resources = Object.entries(GROUPS).filter(([, g]) => g === gv).map(([name]) => ({ name, singularName: '', namespaced: !CLUSTER_SCOPED.has(name), kind: KINDS[name], verbs }));
    if (gv === 'v1') resources.push({ name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] }, { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] });
    send(200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources });
  } else if (p === '/version') send(200, { major: '1', minor: '30', gitVersion: 'v1.30.0-fake' });
  else return undefined;
  return true;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const frame = (channel: number, data: Buffer | string) => Buffer.concat([Buffer.from([channel]), Buffer.from(data)]);

/** exec: stdout on channel 1, stderr on 2, then the v1 Status on channel 3 (the error channel), then close. */
async function serveExec(ws: WebSocket, pod: any, url: URL, options: FakeOptions): Promise<void> {
  const command = url.searchParams.getAll('command');
  const container = url.searchParams.get('container') || pod.spec.containers[0].name;
  const reply: ExecReply = (await options.exec?.({ namespace: pod.metadata.namespace, pod: pod.metadata.name, container, command, object: pod })) ?? { stdout: '', stderr: `exec: "${command[0]}": executable file not found in $PATH`, code: 127 };
  const out = Buffer.from(reply.stdout);
  for (let i = 0; i < out.length; i += 32 * 1024) ws.send(frame(1, out.subarray(i, i + 32 * 1024)));
  if (reply.stderr) ws.send(frame(2, reply.stderr));
  const status = reply.code === 0
    ? { metadata: {}, status: 'Success' }
    : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${reply.code}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(reply.code) }] } };
  ws.send(frame(3, JSON.stringify(status)), () => ws.close(1000));
}

/**
 * portforward: each channel (0 data, 1 error) first carries the port as two little-endian bytes;
 * the data channel then relays a TCP connection to what the pod serves on that port.
 */
function servePortForward(ws: WebSocket, pod: any, url: URL, options: FakeOptions, fault: Fault | undefined): void {
  const port = Number(url.searchParams.get('ports'));
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16LE(port);
  ws.send(frame(0, prefix));
  ws.send(frame(1, prefix));
  let request = '';
  ws.on('message', (data: Buffer) => {
    if (data[0] !== 0) return;
    request += data.subarray(1).toString('latin1');
    if (!request.includes('\r\n\r\n')) return;
    const target = /^GET (\S+) HTTP/.exec(request)?.[1] ?? '/';
    const answer = options.http?.(pod, port, target);
    if (!answer) {
      ws.send(frame(1, `error forwarding port ${port} to pod ${pod.metadata.name}: dial tcp4 127.0.0.1:${port}: connect: connection refused`), () => ws.close(1000));
      return;
    }
    const body = Buffer.from(answer.body);
    const response = Buffer.concat([Buffer.from(`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status]}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]);
    if (fault?.drop) {
      ws.send(frame(0, response.subarray(0, Math.min(response.length, 200))), () => ws.terminate());
      return;
    }
    for (let i = 0; i < response.length; i += 32 * 1024) ws.send(frame(0, response.subarray(i, i + 32 * 1024)));
    ws.close(1000);
  });
}

/** A self-signed certificate for 127.0.0.1 made with openssl, or none (plain HTTP) where openssl is missing. */
function certificate(dir: string): { key: Buffer; cert: Buffer; caFile: string } | undefined {
  const key = path.join(dir, 'key.pem');
  const caFile = path.join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', caFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  if (r.status !== 0 || !existsSync(caFile)) return undefined;
  return { key: readFileSync(key), cert: readFileSync(caFile), caFile };
}
