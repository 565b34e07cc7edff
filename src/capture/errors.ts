import type { Failure } from './failure.ts';
import { CaptureError } from './failure.ts';

/** What went wrong with one API call, in words that name the call, the object and a way out. */
export function callError(c: Call, cause: { status?: number; message: string; code?: string }, timeoutMs: number): CaptureError {
  const { call, object } = describeCall(c);
  const failure = (error: string): Failure => ({ call, object, error });
  const { status, code, message } = cause;
  if (status === 401) {
    return new CaptureError(failure('unauthorized (401): the API server refused the credentials'), 'they may have expired: log in again or refresh the token (kubectl auth whoami checks them)', 401);
  }
  if (status === 403) {
    const { verb, resource, namespace } = c;
    return new CaptureError(failure(`forbidden (403): cannot ${verb} ${resource}${namespace ? ` in namespace ${namespace}` : ''}`), `grant "${verb}" on "${resource}" (README, Live clusters: RBAC); kubectl auth can-i ${verb} ${resource}${namespace ? ` -n ${namespace}` : ''} checks it`, 403);
  }
  if (status === 404) return new CaptureError(failure('not found (404): it no longer exists'), 'it may have been deleted or replaced during the capture; run the command again', 404);
  if (status !== undefined) return new CaptureError(failure(`the API server answered ${status}: ${message}`), status >= 500 ? 'the API server is failing; retry, and check its health (kubectl get --raw /readyz)' : 'check the flags and the object', status);
  if (code === 'ETIMEDOUT' || code === 'ABORT_ERR' || /timed? ?out/i.test(message)) {
    return new CaptureError(failure(`no answer within ${timeoutMs / 1000}s`), 'raise --request-timeout, or check that the API server and the node are reachable');
  }
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN'].includes(code)) {
    return new CaptureError(failure(`cannot reach the API server (${code})`), 'is the cluster up, and are --server / --context right? (kubectl cluster-info)');
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new CaptureError(failure(`the API server's certificate is not trusted (${code})`), 'pass --certificate-authority, or fix the kubeconfig\'s certificate-authority-data');
  }
  return new CaptureError(failure(message), 'check the connection to the API server (kubectl cluster-info)');
}

/** One API call, as RBAC sees it (verb, resource, namespace) and as the user reads it (object). */
export interface Call {
  verb: 'get' | 'list' | 'create' | 'delete' | 'patch';
  /** `pods`, `pods/exec`, `endpointslices`, `pods/ephemeralcontainers`… */
  resource: string;
  /** Absent for cluster-scoped objects and for lists across all namespaces. */
  namespace?: string;
  name?: string;
  /** `-l app=sleep`, `--field-selector spec.nodeName=node-a`. */
  selector?: string;
}

const CLUSTER_SCOPED = new Set(['nodes', 'namespaces']);

export function describeCall(c: Call): { call: string; object: string } {
  const scope = c.namespace ? `in namespace ${c.namespace}` : CLUSTER_SCOPED.has(c.resource) ? '' : 'in all namespaces';
  const object = c.name ? (c.namespace ? `${c.namespace}/${c.name}` : c.name) : [c.selector, scope].filter(Boolean).join(' ');
  return { call: `${c.verb} ${c.resource}`, object };
}
