import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ztunnelInbound, ztunnelOutbound, type ZNext, type ZtunnelLogic } from '../../src/engine/ztunnel/index.ts';
import { InputError } from '../../src/model/evidence.ts';
import type { ZtunnelSchema, ZtunnelState } from '../../src/model/ztunnel.ts';
import { parseZtunnelConfigDump } from '../../src/parse/ztunnel-config-dump.ts';
import { CORPUS_ABSENT, corpusDir } from '../support/corpus.ts';

const corpus = corpusDir();
const dir = corpus && path.join(corpus, 'ztunnel-config-dump');

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = path.join(d, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const rel = (p: string) => path.relative(dir!, p);
const load = (f: string): ZtunnelState => parseZtunnelConfigDump(readFileSync(path.join(dir!, f), 'utf8'), f);

/** Every config dump in the corpus, with the schema it must be read as and its exact counts. */
const dumps: Record<string, { schema: ZtunnelSchema; workloads: number; services: number }> = {
  'istioctl-1.18.2/dump.json': { schema: 'legacy-1.18', workloads: 9, services: 4 },
  'istioctl-1.21.0/dump.json': { schema: 'by-addr-1.19', workloads: 27, services: 19 },
  // istioctl's 1.24.0 and master test data still carry the 1.22 map shape.
  'istioctl-1.24.0/dump.json': { schema: 'maps-1.22', workloads: 27, services: 19 },
  'istioctl-master/dump.json': { schema: 'maps-1.22', workloads: 27, services: 19 },
};

test('corpus: every file under ztunnel-config-dump/ is a known config dump, a connections dump, or local config', { skip: dir ? false : CORPUS_ABSENT }, (t) => {
  for (const file of filesUnder(dir!).map(rel).sort()) {
    const text = readFileSync(path.join(dir!, file), 'utf8');
    if (file.endsWith('.yaml')) {
      t.diagnostic(`skipped ${file}: ztunnel's local static config (workloads/policies/services YAML), not a /config_dump`);
    } else if (path.basename(file) === 'connectionsdump.json') {
      assert.throws(() => parseZtunnelConfigDump(text, file), (e: unknown) => e instanceof InputError && /connections dump/.test(e.message), file);
    } else {
      const want = dumps[file];
      assert.ok(want, `unexpected corpus file ${file}`);
      const s = parseZtunnelConfigDump(text, file);
      assert.deepEqual({ schema: s.schema, workloads: s.workloads.length, services: s.services.length }, want, file);
    }
  }
});

test('corpus: every workload, service and endpoint carries file + pointer evidence', { skip: dir ? false : CORPUS_ABSENT }, () => {
  for (const f of Object.keys(dumps)) {
    const s = load(f);
    const all = [...s.workloads, ...s.services, ...s.services.flatMap((x) => x.endpoints), ...s.workloads.flatMap((w) => (w.waypoint ? [w.waypoint] : []))];
    for (const x of all) assert.ok(x.evidence.file === f && x.evidence.pointer?.startsWith('/') && x.evidence.text, `${f}: ${JSON.stringify(x.evidence)}`);
  }
});

function brief(n: ZNext): string {
  switch (n.kind) {
    case 'hbone':
      return `hbone ${n.ip}:${n.port} authority ${n.authority} via ${n.via}`;
    case 'deny':
      return `deny ${n.reason}`;
    default:
      return `${n.kind} ${n.ip}:${n.port}`;
  }
}

const decisions: { file: string; logic?: ZtunnelLogic; name: string; src: string; dst: string; next: string; alternatives?: string[] }[] = [
  {
    file: 'istioctl-1.21.0/dump.json', name: 'productpage → reviews VIP: the chosen pod names the namespace waypoint 10.96.65.117:15008, so 1.21 sends it there',
    src: '10.244.2.53', dst: '10.96.74.131:9080',
    next: 'hbone 10.244.2.52:15008 authority 10.96.74.131:9080 via waypoint',
    alternatives: ['hbone 10.244.2.52:15008 authority 10.96.74.131:9080 via waypoint', 'hbone 10.244.2.52:15008 authority 10.96.74.131:9080 via waypoint'],
  },
  {
    file: 'istioctl-1.24.0/dump.json', logic: '1.23+', name: 'productpage → reviews pod IP: the workload waypoint 10.96.65.117:15008 (pod 10.244.2.52)',
    src: '10.244.2.53', dst: '10.244.1.37:9080',
    next: 'hbone 10.244.2.52:15008 authority 10.244.1.37:9080 via waypoint',
  },
  {
    file: 'istioctl-1.24.0/dump.json', logic: '1.23+', name: 'productpage → reviews VIP: the service has no waypoint, so 1.22+ go to an endpoint directly',
    src: '10.244.2.53', dst: '10.96.74.131:9080',
    next: 'hbone 10.244.1.37:15008 authority 10.244.1.37:9080 via destination',
    alternatives: ['hbone 10.244.1.38:15008 authority 10.244.1.38:9080 via destination', 'hbone 10.244.1.39:15008 authority 10.244.1.39:9080 via destination'],
  },
  { file: 'istioctl-1.24.0/dump.json', name: 'sleep → default/httpbin VIP (TCP pod) → plaintext to 10.244.1.40:80', src: '10.244.2.58', dst: '10.96.26.108:8000', next: 'tcp 10.244.1.40:80' },
  { file: 'istioctl-master/dump.json', name: 'sleep → kubernetes VIP (no endpoints) → passthrough', src: '10.244.2.58', dst: '10.96.0.1:443', next: 'passthrough 10.96.0.1:443' },
  { file: 'istioctl-master/dump.json', logic: '1.23+', name: 'sleep → kubernetes VIP (no endpoints), 1.23+ → NoHealthyUpstream', src: '10.244.2.58', dst: '10.96.0.1:443', next: 'deny service default/kubernetes has no usable endpoint for port 443 (NoHealthyUpstream)' },
  { file: 'istioctl-1.18.2/dump.json', name: '1.18 istiod → httpbin VIP → HBONE pod on another node', src: '10.244.1.2', dst: '10.96.131.224:8000', next: 'hbone 10.244.2.4:15008 authority 10.244.2.4:80 via destination' },
  { file: 'istioctl-1.18.2/dump.json', name: '1.18 istiod → kube-dns VIP → one of two coredns pods', src: '10.244.1.2', dst: '10.96.0.10:53', next: 'tcp 10.244.0.3:53', alternatives: ['tcp 10.244.0.4:53'] },
];

for (const d of decisions) {
  test(`corpus ${d.file}: ${d.name}`, { skip: dir ? false : CORPUS_ABSENT }, () => {
    const [ip, port] = d.dst.split(':');
    const r = ztunnelOutbound(load(d.file), { srcIp: d.src, dst: { ip: ip!, port: Number(port) } }, d.logic ? { logic: d.logic } : undefined);
    assert.equal(brief(r.next), d.next);
    assert.deepEqual(r.alternatives.map(brief), d.alternatives ?? []);
  });
}

test('corpus istioctl-master/dump.json: the namespace waypoint pod accepts HBONE for reviews-v1 it fronts', { skip: dir ? false : CORPUS_ABSENT }, () => {
  const r = ztunnelInbound(load('istioctl-master/dump.json'), { port: 15008, authority: '10.244.1.37:9080', originalDst: { ip: '10.244.2.52', port: 15008 }, srcIp: '10.244.2.53' });
  assert.equal(brief(r.next), 'tcp 10.244.2.52:9080');
});
