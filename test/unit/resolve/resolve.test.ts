import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Target } from '../../../src/engine/resolve.ts';
import { resolveDestination, resolveSource } from '../../../src/engine/resolve.ts';
import { cluster } from './cluster.ts';

/** A target with pods and services reduced to their names, so each row reads at a glance. */
function brief(t: Target) {
  const note = t.note === undefined ? {} : { note: t.note };
  switch (t.kind) {
    case 'pod':
      return { pod: `${t.pod.namespace}/${t.pod.name}`, chosenFrom: t.chosenFrom.map((p) => p.name), ...(t.port === undefined ? {} : { port: t.port }), ...note };
    case 'service':
      return {
        service: `${t.service.namespace}/${t.service.name}`,
        port: t.port.port,
        endpoints: t.endpoints.map((e) => `${e.ip}:${e.port ?? '?'}${e.ready ? '' : ' not-ready'}${e.pod ? ` ${e.pod.name}` : ''}${e.node ? ` @${e.node}` : ''}`),
        ...note,
      };
    case 'ip':
      return { ip: t.ip, ...(t.port === undefined ? {} : { port: t.port }), ...note };
  }
}

interface Row {
  query: string;
  namespace?: string;
  port?: string | number;
  expected: ReturnType<typeof brief> | { error: string };
}

function run(resolve: (q: string, o: { namespace?: string; port?: string | number }) => Target, rows: Row[]) {
  for (const row of rows) {
    const flags = `${row.namespace ? ` -n ${row.namespace}` : ''}${row.port !== undefined ? ` --port ${row.port}` : ''}`;
    it(`${row.query}${flags}`, () => {
      const options = { namespace: row.namespace, port: row.port };
      if ('error' in row.expected) assert.throws(() => resolve(row.query, options), { name: 'ResolveError', message: row.expected.error });
      else assert.deepEqual(brief(resolve(row.query, options)), row.expected);
    });
  }
}

const HTTPBIN_PODS = ['httpbin-6c4d9f7b8-aaaaa', 'httpbin-6c4d9f7b8-bbbbb', 'httpbin-6c4d9f7b8-0old'];

describe('resolveDestination', () => {
  run((q, o) => resolveDestination(cluster, q, o), [
    // Services and their ports
    { query: 'httpbin', expected: { error: 'service default/httpbin has ports 8000 (http), 9000 (grpc); pass --port or httpbin:PORT' } },
    { query: 'svc/httpbin', expected: { error: 'service default/httpbin has ports 8000 (http), 9000 (grpc); pass --port or svc/httpbin:PORT' } },
    { query: 'httpbin:8000', expected: { service: 'default/httpbin', port: 8000, endpoints: ['10.244.2.7:80 httpbin-6c4d9f7b8-aaaaa @node-b', '10.244.3.9:80 not-ready httpbin-6c4d9f7b8-bbbbb @node-c'] } },
    { query: 'httpbin:grpc', expected: { service: 'default/httpbin', port: 9000, endpoints: ['10.244.2.7:9090 httpbin-6c4d9f7b8-aaaaa @node-b', '10.244.3.9:9090 not-ready httpbin-6c4d9f7b8-bbbbb @node-c'] } },
    { query: 'httpbin', port: 9000, expected: { service: 'default/httpbin', port: 9000, endpoints: ['10.244.2.7:9090 httpbin-6c4d9f7b8-aaaaa @node-b', '10.244.3.9:9090 not-ready httpbin-6c4d9f7b8-bbbbb @node-c'] } },
    { query: 'httpbin', port: 'http', expected: { service: 'default/httpbin', port: 8000, endpoints: ['10.244.2.7:80 httpbin-6c4d9f7b8-aaaaa @node-b', '10.244.3.9:80 not-ready httpbin-6c4d9f7b8-bbbbb @node-c'] } },
    { query: 'httpbin:8000', port: '8000', expected: { service: 'default/httpbin', port: 8000, endpoints: ['10.244.2.7:80 httpbin-6c4d9f7b8-aaaaa @node-b', '10.244.3.9:80 not-ready httpbin-6c4d9f7b8-bbbbb @node-c'] } },
    { query: 'httpbin:7000', expected: { error: 'service default/httpbin has no port 7000; its ports are 8000 (http), 9000 (grpc)' } },
    { query: 'httpbin:8000', port: 9000, expected: { error: 'two ports given: "httpbin:8000" and --port 9000; pass one' } },
    { query: 'empty', expected: { error: 'service default/empty declares no ports; name a pod or an IP with a port instead' } },
    {
      query: 'svc/web',
      expected: { service: 'default/web', port: 80, endpoints: ['10.244.1.8:80 web-0'], note: 'no EndpointSlice for service default/web in the snapshot; its backends are the pods its selector picks' },
    },
    { query: 'sleep', expected: { service: 'default/sleep', port: 80, endpoints: ['10.244.1.5:? sleep-7f8d9-abcde'], note: 'no EndpointSlice for service default/sleep in the snapshot; its backends are the pods its selector picks' } },
    // Namespaces: in the argument, by -n, and found elsewhere
    { query: 'other/reviews', expected: { service: 'other/reviews', port: 9080, endpoints: ['10.244.4.2:9080 reviews-v1-5d9-xyz'], note: 'no EndpointSlice for service other/reviews in the snapshot; its backends are the pods its selector picks' } },
    { query: 'reviews.other', expected: { service: 'other/reviews', port: 9080, endpoints: ['10.244.4.2:9080 reviews-v1-5d9-xyz'], note: 'no EndpointSlice for service other/reviews in the snapshot; its backends are the pods its selector picks' } },
    { query: 'reviews.other.svc.cluster.local:9080', expected: { service: 'other/reviews', port: 9080, endpoints: ['10.244.4.2:9080 reviews-v1-5d9-xyz'], note: 'no EndpointSlice for service other/reviews in the snapshot; its backends are the pods its selector picks' } },
    { query: 'reviews', namespace: 'other', expected: { service: 'other/reviews', port: 9080, endpoints: ['10.244.4.2:9080 reviews-v1-5d9-xyz'], note: 'no EndpointSlice for service other/reviews in the snapshot; its backends are the pods its selector picks' } },
    {
      query: 'reviews',
      expected: { service: 'other/reviews', port: 9080, endpoints: ['10.244.4.2:9080 reviews-v1-5d9-xyz'], note: 'nothing named "reviews" in namespace default; using service other/reviews, the only match; no EndpointSlice for service other/reviews in the snapshot; its backends are the pods its selector picks' },
    },
    { query: 'default/reviews', expected: { error: 'no pod, workload or service "reviews" in namespace default; closest: svc/reviews -n other, deploy/reviews-v1 -n other, pod/reviews-v1-5d9-xyz -n other' } },
    // Pods and workloads
    { query: 'deploy/httpbin', expected: { pod: 'default/httpbin-6c4d9f7b8-aaaaa', chosenFrom: HTTPBIN_PODS, note: '3 pods match deployment default/httpbin; using httpbin-6c4d9f7b8-aaaaa (Running); others: httpbin-6c4d9f7b8-bbbbb, httpbin-6c4d9f7b8-0old' } },
    { query: 'deployment/httpbin:grpc', expected: { pod: 'default/httpbin-6c4d9f7b8-aaaaa', chosenFrom: HTTPBIN_PODS, port: 9090, note: '3 pods match deployment default/httpbin; using httpbin-6c4d9f7b8-aaaaa (Running); others: httpbin-6c4d9f7b8-bbbbb, httpbin-6c4d9f7b8-0old' } },
    { query: 'pod/httpbin-6c4d9f7b8-bbbbb', expected: { pod: 'default/httpbin-6c4d9f7b8-bbbbb', chosenFrom: ['httpbin-6c4d9f7b8-bbbbb'], port: 80 } },
    { query: 'httpbin-6c4d9f7b8-bbbbb:8080', expected: { pod: 'default/httpbin-6c4d9f7b8-bbbbb', chosenFrom: ['httpbin-6c4d9f7b8-bbbbb'], port: 8080 } },
    { query: 'httpbin-6c4d9f7b8-bbbbb:grpc', expected: { error: 'pod default/httpbin-6c4d9f7b8-bbbbb has no port named "grpc"; its named ports are 80 (http)' } },
    { query: 'pod/sleep-7f8d9-abcde', expected: { pod: 'default/sleep-7f8d9-abcde', chosenFrom: ['sleep-7f8d9-abcde'] } },
    { query: 'sts/web', expected: { pod: 'default/web-0', chosenFrom: ['web-0'], port: 80 } },
    { query: 'my.dotted', expected: { pod: 'default/my.dotted', chosenFrom: ['my.dotted'] } },
    {
      query: 'ds/ztunnel',
      expected: { pod: 'istio-system/ztunnel-aaaaa', chosenFrom: ['ztunnel-aaaaa', 'ztunnel-bbbbb'], note: 'nothing named "ztunnel" in namespace default; using daemonset istio-system/ztunnel, the only match; 2 pods match daemonset istio-system/ztunnel; using ztunnel-aaaaa (Running); others: ztunnel-bbbbb' },
    },
    { query: 'reviews-v1', namespace: 'other', expected: { pod: 'other/reviews-v1-5d9-xyz', chosenFrom: ['reviews-v1-5d9-xyz'] } },
    // IPs
    { query: '10.96.120.7:8000', expected: { service: 'default/httpbin', port: 8000, endpoints: ['10.244.2.7:80 httpbin-6c4d9f7b8-aaaaa @node-b', '10.244.3.9:80 not-ready httpbin-6c4d9f7b8-bbbbb @node-c'] } },
    { query: '10.244.2.7', expected: { pod: 'default/httpbin-6c4d9f7b8-aaaaa', chosenFrom: ['httpbin-6c4d9f7b8-aaaaa', 'httpbin-6c4d9f7b8-0old'], note: '2 pods match IP 10.244.2.7; using httpbin-6c4d9f7b8-aaaaa (Running); others: httpbin-6c4d9f7b8-0old' } },
    { query: '[fd00::7]:8080', expected: { pod: 'default/httpbin-6c4d9f7b8-aaaaa', chosenFrom: ['httpbin-6c4d9f7b8-aaaaa'], port: 8080 } },
    { query: '172.18.0.2:22', expected: { ip: '172.18.0.2', port: 22, note: '172.18.0.2 is an address of node node-a' } },
    { query: '1.2.3.4', port: 443, expected: { ip: '1.2.3.4', port: 443, note: '1.2.3.4 is not a pod, service or node address in the snapshot' } },
    { query: 'fd00::99', expected: { ip: 'fd00::99', note: 'fd00::99 is not a pod, service or node address in the snapshot' } },
    { query: '1.2.3.4:https', expected: { error: '1.2.3.4 is not a pod or service IP in the snapshot, so port "https" must be a number' } },
    { query: '1.2.3.4:70000', expected: { error: 'port 70000 is out of range (1-65535)' } },
    // Nothing found
    { query: 'htpbin', expected: { error: 'no pod, workload or service "htpbin" in namespace default; closest: svc/httpbin, deploy/httpbin' } },
    { query: 'svc/nope', expected: { error: 'no service "nope" in namespace default; no similar name in the snapshot' } },
    {
      query: 'sts/httpbin',
      expected: { error: 'no pod of statefulset "httpbin" in namespace default; closest: svc/httpbin, deploy/httpbin, pod/httpbin-6c4d9f7b8-0old, pod/httpbin-6c4d9f7b8-aaaaa, pod/httpbin-6c4d9f7b8-bbbbb' },
    },
    { query: 'revews', namespace: 'nowhere', expected: { error: 'no pod, workload or service "revews" in namespace nowhere (no such namespace in the snapshot); closest: svc/reviews -n other' } },
    { query: 'a/b/c', expected: { error: 'cannot read "a/b/c": expected at most one "/" (KIND/NAME or NAMESPACE/NAME)' } },
    { query: ':80', expected: { error: 'cannot read ":80": expected NAME, KIND/NAME, NAMESPACE/NAME, NAME.NAMESPACE or an IP, optionally followed by :PORT' } },
  ]);
});

describe('resolveSource', () => {
  run((q, o) => resolveSource(cluster, q, o), [
    { query: 'sleep', expected: { pod: 'default/sleep-7f8d9-abcde', chosenFrom: ['sleep-7f8d9-abcde'] } },
    { query: 'sleep', namespace: 'other', expected: { pod: 'other/sleep-1a2b-zzzzz', chosenFrom: ['sleep-1a2b-zzzzz'] } },
    { query: 'sleep.other', expected: { pod: 'other/sleep-1a2b-zzzzz', chosenFrom: ['sleep-1a2b-zzzzz'] } },
    { query: 'other/sleep', expected: { pod: 'other/sleep-1a2b-zzzzz', chosenFrom: ['sleep-1a2b-zzzzz'] } },
    { query: 'svc/httpbin', expected: { pod: 'default/httpbin-6c4d9f7b8-aaaaa', chosenFrom: HTTPBIN_PODS, note: '3 pods match the pods selected by service default/httpbin; using httpbin-6c4d9f7b8-aaaaa (Running); others: httpbin-6c4d9f7b8-bbbbb, httpbin-6c4d9f7b8-0old' } },
    { query: 'web', expected: { pod: 'default/web-0', chosenFrom: ['web-0'] } },
    { query: '10.244.1.5', expected: { pod: 'default/sleep-7f8d9-abcde', chosenFrom: ['sleep-7f8d9-abcde'] } },
    { query: '172.18.0.2', expected: { error: 'no pod has IP 172.18.0.2 in the snapshot; a source must be a pod' } },
    { query: 'svc/empty', expected: { error: 'service default/empty selects no pods in the snapshot; a source must be a pod' } },
    { query: 'sleep:80', expected: { error: 'the source "sleep:80" has a port; the port belongs to the destination' } },
    { query: 'sleep', namespace: 'nowhere', expected: { error: 'pod, workload or service "sleep" is not in namespace nowhere but is in namespaces default, other; pass -n NAMESPACE' } },
    { query: 'slep', expected: { error: 'no pod, workload or service "slep" in namespace default; closest: svc/sleep, deploy/sleep, deploy/sleep -n other' } },
    { query: 'zzzzzzzz', expected: { error: 'no pod, workload or service "zzzzzzzz" in namespace default; no similar name in the snapshot' } },
  ]);
});
