import http from 'node:http';
import https from 'node:https';
import type { Connection } from './kube-config.ts';
import { callError, describeCall, type Call } from './errors.ts';
import { limiter } from './limit.ts';

/** Where a resource lives in the API: core `v1` or a group's version. */
export interface Resource {
  plural: string;
  apiVersion: string;
  /** The list kind a `kubectl get -o json` of it prints. */
  listKind: string;
  kind: string;
}

export const RESOURCES = {
  pods: { plural: 'pods', apiVersion: 'v1', listKind: 'PodList', kind: 'Pod' },
  services: { plural: 'services', apiVersion: 'v1', listKind: 'ServiceList', kind: 'Service' },
  nodes: { plural: 'nodes', apiVersion: 'v1', listKind: 'NodeList', kind: 'Node' },
  namespaces: { plural: 'namespaces', apiVersion: 'v1', listKind: 'NamespaceList', kind: 'Namespace' },
  endpointslices: { plural: 'endpointslices', apiVersion: 'discovery.k8s.io/v1', listKind: 'EndpointSliceList', kind: 'EndpointSlice' },
  deployments: { plural: 'deployments', apiVersion: 'apps/v1', listKind: 'DeploymentList', kind: 'Deployment' },
  statefulsets: { plural: 'statefulsets', apiVersion: 'apps/v1', listKind: 'StatefulSetList', kind: 'StatefulSet' },
  daemonsets: { plural: 'daemonsets', apiVersion: 'apps/v1', listKind: 'DaemonSetList', kind: 'DaemonSet' },
} satisfies Record<string, Resource>;

export type KubeObject = { metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };

/** One finished call, for the progress line, the benchmark's waves and the count of calls. */
export interface CallRecord {
  call: string;
  object: string;
  start: number;
  end: number;
}

export interface Selector {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Parallel calls at once: enough that one wave of a trace's reads never queues, few enough for any API server. */
export const DEFAULT_CONCURRENCY = 24;

/**
 * The few API calls a capture makes, over the connection's own TLS and credentials (exec plugins
 * included), each named for errors, bounded in concurrency and recorded.
 */
export class KubeApi {
  readonly calls: CallRecord[] = [];
  readonly limit: <T>(task: () => Promise<T>) => Promise<T>;
  private options?: Promise<https.RequestOptions>;

  constructor(readonly conn: Connection, concurrency = DEFAULT_CONCURRENCY) {
    this.limit = limiter(concurrency);
  }

  /** The TLS options and headers every call uses, computed once (an exec plugin runs once). */
  requestOptions(): Promise<https.RequestOptions> {
    this.options ??= (async () => {
      const opts: https.RequestOptions = { headers: {} };
      await this.conn.kc.applyToHTTPSOptions(opts);
      opts.headers = { ...opts.headers, ...this.conn.headers };
      return opts;
    })();
    return this.options;
  }

  async list(resource: Resource, sel: Selector): Promise<KubeObject[]> {
    const query = new URLSearchParams();
    if (sel.labelSelector) query.set('labelSelector', sel.labelSelector);
    if (sel.fieldSelector) query.set('fieldSelector', sel.fieldSelector);
    const selector = [sel.labelSelector && `-l ${sel.labelSelector}`, sel.fieldSelector && `--field-selector ${sel.fieldSelector}`].filter(Boolean).join(' ');
    const call: Call = { verb: 'list', resource: resource.plural, namespace: sel.namespace, selector };
    const body = (await this.request(call, 'GET', `${collectionPath(resource, sel.namespace)}${query.size ? `?${query}` : ''}`)) as { items?: KubeObject[] };
    return (body.items ?? []).map((item) => withKind(item, resource));
  }

  /** The object, or undefined when it does not exist. */
  async get(resource: Resource, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const call: Call = { verb: 'get', resource: resource.plural, namespace, name };
    try {
      return withKind((await this.request(call, 'GET', `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}`)) as KubeObject, resource);
    } catch (err) {
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    }
  }

  async create(resource: Resource, namespace: string, body: unknown): Promise<KubeObject> {
    const name = (body as KubeObject).metadata.name;
    return (await this.request({ verb: 'create', resource: resource.plural, namespace, name }, 'POST', collectionPath(resource, namespace), body)) as KubeObject;
  }

  async delete(resource: Resource, namespace: string, name: string): Promise<void> {
    await this.request({ verb: 'delete', resource: resource.plural, namespace, name }, 'DELETE', `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}?gracePeriodSeconds=0`);
  }

  /** A strategic-merge patch of a subresource (`pods/ephemeralcontainers`). */
  async patchSubresource(resource: Resource, namespace: string, name: string, sub: string, body: unknown): Promise<KubeObject> {
    const call: Call = { verb: 'patch', resource: `${resource.plural}/${sub}`, namespace, name };
    return (await this.request(call, 'PATCH', `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}/${sub}`, body, 'application/strategic-merge-patch+json')) as KubeObject;
  }

  /** Runs one recorded call with the connection's timeout; failures become CaptureErrors naming it. */
  async record<T>(call: Call, run: () => Promise<T>): Promise<T> {
    return this.limit(async () => {
      const start = performance.now();
      try {
        return await run();
      } finally {
        this.calls.push({ ...describeCall(call), start, end: performance.now() });
      }
    });
  }

  private request(call: Call, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    return this.record(call, async () => {
      const opts = await this.requestOptions();
      const url = new URL(path, this.conn.server.replace(/\/?$/, '/'));
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers = { ...opts.headers, Accept: 'application/json', ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}) };
      const send = url.protocol === 'https:' ? https.request : http.request;
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = send(url, { ...opts, method, headers, timeout: this.conn.timeoutMs || undefined }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
        req.on('error', reject);
        req.end(payload);
      }).catch((err: NodeJS.ErrnoException) => {
        throw callError(call, { message: err.message, code: err.code }, this.conn.timeoutMs);
      });
      if (status >= 200 && status < 300) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw callError(call, { message: `the answer is not JSON: ${text.slice(0, 80)}` }, this.conn.timeoutMs);
        }
      }
      throw callError(call, { status, message: statusMessage(text) }, this.conn.timeoutMs);
    });
  }
}

/** A `Status` object's message, or the start of whatever the server sent. */
function statusMessage(text: string): string {
  try {
    const status = JSON.parse(text) as { message?: string };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not a Status: fall through to the raw text
  }
  return text.trim().slice(0, 200) || '(empty answer)';
}

function collectionPath(r: Resource, namespace: string | undefined): string {
  const root = r.apiVersion === 'v1' ? '/api/v1' : `/apis/${r.apiVersion}`;
  return namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${root}/${r.plural}`;
}

/** Items of a list carry no kind; the snapshot's lists are `kubectl get -o json` shaped, where they do. */
function withKind(item: KubeObject, r: Resource): KubeObject {
  return { apiVersion: r.apiVersion, kind: r.kind, ...item };
}
