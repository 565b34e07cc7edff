import { failure } from '../../support/failure.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memorySource } from '../../../src/parse/byte-source.ts';
import { indexEnvoyConfigDump, parseEnvoyConfigDump } from '../../../src/parse/envoy-config-dump.ts';
import type { EnvoyConfig } from '../../../src/model/envoy.ts';
import { readDirectory } from '../../../src/snapshot/directory.ts';
import type { FileLoader } from '../../../src/snapshot/source.ts';
import { corpusDir, projectRoot } from '../../support/corpus.ts';
import { assignment, dump, eds, httpChain, internalEp, istioTlsMatches, listener, routeConfig, sockEp, tcpChain } from './dump.ts';

const FILE = 'pods/ns/p/envoy-config-dump.json';
const T = 'type.googleapis.com/envoy.admin.v3.';

/** Every field of a config, its maps as entry lists: reading them builds every deferred entry. */
function whole(cfg: EnvoyConfig): unknown {
  return {
    file: cfg.file,
    nodeId: cfg.nodeId,
    role: cfg.role,
    istioVersion: cfg.istioVersion,
    listeners: cfg.listeners,
    routeConfigs: [...cfg.routeConfigs],
    clusters: [...cfg.clusters],
    endpoints: [...cfg.endpoints],
    sections: cfg.sections,
    findings: cfg.findings,
  };
}

function both(text: string, file = FILE): { eager: EnvoyConfig; deferred: EnvoyConfig } {
  return { eager: parseEnvoyConfigDump(text, file), deferred: indexEnvoyConfigDump(memorySource(Buffer.from(text)), file) };
}


function exampleDumps(): string[] {
  const out: string[] = [];
  for (const example of readdirSync(path.join(projectRoot, 'examples'))) {
    const pods = path.join(projectRoot, 'examples', example, 'pods');
    for (const file of readdirSync(pods, { recursive: true }) as string[]) if (file.endsWith('envoy-config-dump.json')) out.push(path.join('examples', example, 'pods', file));
  }
  return out.sort();
}

describe('deferred Envoy entries build the model an eager parse builds', () => {
  const corpus = corpusDir();
  const files = [
    ...exampleDumps().map((rel) => ({ name: rel, path: path.join(projectRoot, rel) })),
    ...(corpus ? readdirSync(path.join(corpus, 'envoy-config-dump'), { recursive: true }) as string[] : [])
      .filter((f) => /\.(json|yaml)$/.test(f))
      .map((f) => ({ name: `corpus ${f}`, path: path.join(corpus!, 'envoy-config-dump', f) })),
  ];
  it('finds the example and corpus dumps', () => assert.ok(files.length >= 10, `${files.length} dumps`));
  for (const f of files) {
    it(f.name, () => {
      const { eager, deferred } = both(readFileSync(f.path, 'utf8'), f.name);
      assert.deepEqual(whole(deferred), whole(eager));
    });
  }
});

describe('deferred Envoy entries: what is built when', () => {
  const text = dump({
    nodeId: 'sidecar~10.0.0.5~p.ns~ns.svc.cluster.local',
    listeners: [listener('l', '0.0.0.0', 80, [tcpChain('a'), httpChain({ rds: 'r' })])],
    clusters: [eds('a'), eds('b', { cluster_type: { name: 'envoy.clusters.aggregate' } }), eds('a', { type: 'STATIC' })],
    routes: [routeConfig('r', [{ name: 'v', domains: ['*'], routes: [{ match: { tls_context: {} }, route: { cluster: 'a' } }] }])],
    endpoints: [assignment('a', [sockEp('10.0.0.1', 80)]), assignment('b', [sockEp('10.0.0.2', 80)]), assignment('a', [internalEp('connect_originate', {})])],
  });

  it('a later entry of the same name wins, in the first one\'s place; endpoint assignments of one cluster add up', () => {
    const { eager, deferred } = both(text);
    assert.deepEqual([...deferred.clusters.keys()], ['a', 'b']);
    assert.equal(deferred.clusters.get('a')?.type, 'STATIC');
    assert.deepEqual(deferred.endpoints.get('a'), eager.endpoints.get('a'));
    assert.equal(deferred.endpoints.get('a')?.length, 2);
    assert.deepEqual(whole(deferred), whole(eager));
  });

  it('findings come in document order whichever entry was built first', () => {
    const { eager, deferred } = both(text);
    deferred.routeConfigs.get('r');
    deferred.clusters.get('b');
    assert.deepEqual(deferred.findings, eager.findings);
    assert.deepEqual(deferred.findings?.map((f) => f.evidence[0].pointer), [
      '/configs/2/dynamic_active_clusters/1/cluster/cluster_type',
      '/configs/3/dynamic_route_configs/0/route_config/virtual_hosts/0/routes/0/match',
    ]);
  });

  it('a listener\'s head is read at once, its filter chains when first used; findings keep their order', () => {
    const mongo = { filters: [{ name: 'envoy.filters.network.mongo_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.mongo_proxy.v3.MongoProxy' } }] };
    const text = JSON.stringify({
      configs: [{
        '@type': `${T}ListenersConfigDump`,
        static_listeners: [{ listener: { name: 'pipe', address: { pipe: { path: '/tmp/s' } }, filter_chains: [mongo], default_filter_chain: mongo } }],
        dynamic_listeners: [{ name: 'warming', warming_state: {} }, { name: 'l', active_state: { listener: listener('l', '0.0.0.0', 80, [tcpChain('a')], { filter_chain_matcher: { matcher_list: {} } }) } }],
      }],
    });
    const { eager, deferred } = both(text);
    assert.deepEqual(deferred.listeners.map((l) => [l.name, l.address, l.bindToPort]), [['pipe', undefined, true], ['l', { ip: '0.0.0.0', port: 80 }, true]]);
    assert.deepEqual(deferred.listeners[1].filterChains, eager.listeners[1].filterChains);
    assert.deepEqual(deferred.findings, eager.findings);
    assert.deepEqual(deferred.findings?.map((f) => f.evidence[0].pointer), [
      '/configs/0/static_listeners/0/listener/address',
      '/configs/0/static_listeners/0/listener/filter_chains/0/filters/0',
      '/configs/0/static_listeners/0/listener/default_filter_chain/filters/0',
      '/configs/0/dynamic_listeners/0',
      '/configs/0/dynamic_listeners/1/active_state/listener/filter_chain_matcher',
    ]);
    assert.deepEqual(whole(deferred), whole(eager));
  });

  it('an error inside an entry surfaces when that entry is read, naming file and pointer', () => {
    const bad = dump({ clusters: [eds('good'), eds('bad', { transport_socket: 3 })] });
    const cfg = indexEnvoyConfigDump(memorySource(Buffer.from(bad)), FILE);
    assert.equal(cfg.clusters.get('good')?.name, 'good');
    const eager = failure(() => parseEnvoyConfigDump(bad, FILE));
    assert.deepEqual(failure(() => cfg.clusters.get('bad')), eager);
    assert.deepEqual((eager as { where: unknown }).where, { pointer: '/configs/0/dynamic_active_clusters/1/cluster/transport_socket' });
  });
});

describe('deferred Envoy entries: what is checked up front fails as an eager parse does', () => {
  const L = `${T}ListenersConfigDump`;
  const C = `${T}ClustersConfigDump`;
  const E = `${T}EndpointsConfigDump`;
  const R = `${T}RoutesConfigDump`;
  const cases: [string, string][] = [
    ['not JSON', '{"configs": ['],
    ['trailing garbage', '{"configs": []} x'],
    ['root not an object', '[]'],
    ['no configs', '{}'],
    ['configs not an array', '{"configs": {}}'],
    ['a section not an object', '{"configs": [3]}'],
    ['section without @type', '{"configs": [{}]}'],
    ['@type not a string', '{"configs": [{"@type": 7}]}'],
    ['clusters not an array', JSON.stringify({ configs: [{ '@type': C, dynamic_active_clusters: {} }] })],
    ['cluster entry not an object', JSON.stringify({ configs: [{ '@type': C, static_clusters: [null] }] })],
    ['cluster not an object', JSON.stringify({ configs: [{ '@type': C, dynamic_active_clusters: [{ cluster: [] }] }] })],
    ['cluster missing', JSON.stringify({ configs: [{ '@type': C, dynamic_active_clusters: [{}] }] })],
    ['cluster without name', dump({ clusters: [{ type: 'EDS' }] })],
    ['cluster name not a string', dump({ clusters: [{ name: { x: 1 } }] })],
    ['warming clusters not an array', JSON.stringify({ configs: [{ '@type': C, dynamic_warming_clusters: 'x' }] })],
    ['endpoint config not an object', JSON.stringify({ configs: [{ '@type': E, dynamic_endpoint_configs: [{ endpoint_config: 1 }] }] })],
    ['cluster_name not a string', JSON.stringify({ configs: [{ '@type': E, static_endpoint_configs: [{ endpoint_config: { cluster_name: 5 } }] }] })],
    ['route config not an object', JSON.stringify({ configs: [{ '@type': R, static_route_configs: [{ route_config: 'r' }] }] })],
    ['route config name not a string', JSON.stringify({ configs: [{ '@type': R, dynamic_route_configs: [{ route_config: { name: false } }] }] })],
    ['a listener error', JSON.stringify({ configs: [{ '@type': L, static_listeners: [{ listener: { address: { socket_address: { address: '0.0.0.0', port_value: {} } } } }] }] })],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const eager = failure(() => parseEnvoyConfigDump(text, FILE));
      assert.notEqual(eager, 'no error');
      assert.deepEqual(failure(() => whole(indexEnvoyConfigDump(memorySource(Buffer.from(text)), FILE))), eager);
    });
  }

  it('sections of unknown or inherited-looking types are reported, not read', () => {
    const text = JSON.stringify({ configs: [{ '@type': `${T}constructor` }, { '@type': `${T}Nope` }] });
    const { eager, deferred } = both(text);
    assert.deepEqual(deferred.findings?.map((f) => f.message), ['config dump section constructor is not read', 'config dump section Nope is not read']);
    assert.deepEqual(whole(deferred), whole(eager));
  });
});

describe('deferred Envoy entries from a dump on disk', () => {
  // Pretty-printed, as Envoy writes it, and over a megabyte: the scan takes more than one window, the
  // listeners and builds more than one block.
  const n = 2000;
  const text = JSON.stringify(JSON.parse(dump({
    nodeId: 'sidecar~10.0.0.5~p.ns~ns.svc.cluster.local',
    listeners: Array.from({ length: 200 }, (_, i) => listener(`l${i}`, '0.0.0.0', 1000 + i, [tcpChain(`c${i}`), httpChain({ rds: `r${i}` })])),
    clusters: Array.from({ length: n }, (_, i) => eds(`c${i}`, istioTlsMatches)),
    routes: Array.from({ length: 200 }, (_, i) => routeConfig(`r${i}`, [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: `c${i}` } }] }])),
    endpoints: Array.from({ length: n }, (_, i) => assignment(`c${i}`, [sockEp(`10.1.${i >> 8}.${i & 255}`, 80)])),
  })), null, 2);

  /** The dump written into a snapshot folder, and the loader the directory reader gives for it. */
  async function onDisk(): Promise<{ file: string; load: FileLoader }> {
    const root = await mkdtemp(path.join(tmpdir(), 'istio-path-envoy-'));
    const file = path.join(root, FILE);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    return { file, load: (await readDirectory(root)).files.get(FILE)! };
  }

  it('builds every entry from the bytes read again from the file, as a parse of the text does', async () => {
    const { load } = await onDisk();
    const source = load.bytes!();
    assert.ok(source.size > 1 << 20, `${source.size} bytes`);
    const cfg = indexEnvoyConfigDump(source, FILE);
    const eager = parseEnvoyConfigDump(text, FILE);
    // Out of document order first: a build must not depend on the reads before it.
    assert.deepEqual(cfg.endpoints.get(`c${n - 1}`), eager.endpoints.get(`c${n - 1}`));
    assert.deepEqual(cfg.listeners[0].filterChains, eager.listeners[0].filterChains);
    assert.deepEqual(whole(cfg), whole(eager));
  });

  it('a file that shrinks after the index fails the build that reads past its new end, naming the file', async () => {
    const { file, load } = await onDisk();
    const cfg = indexEnvoyConfigDump(load.bytes!(), FILE);
    await truncate(file, text.length >> 1);
    assert.deepEqual(failure(() => cfg.endpoints.get(`c${n - 1}`)), {
      name: 'InputError',
      file: FILE,
      where: {},
      message: `${FILE}: cannot read the file (it is shorter than the ${text.length} bytes it had when the snapshot was listed) (hint: the snapshot directory changed or is not readable by this user)`,
    });
  });

  it('a file rewritten at another size after the index fails the build, naming the file', async () => {
    const { file, load } = await onDisk();
    const cfg = indexEnvoyConfigDump(load.bytes!(), FILE);
    await writeFile(file, `${' '.repeat(100)}${text}`);
    const error = failure(() => cfg.clusters.get(`c${n - 1}`)) as { name: string; file: string };
    assert.deepEqual([error.name, error.file], ['InputError', FILE]);
  });
});
