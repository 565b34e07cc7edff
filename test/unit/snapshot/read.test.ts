import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, realpath, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Snapshot } from '../../../src/model/snapshot.ts';
import type { ByteSource } from '../../../src/parse/byte-source.ts';
import { readDirectory } from '../../../src/snapshot/directory.ts';
import { readSnapshot } from '../../../src/snapshot/read.ts';
import { writeSnapshot } from '../../../src/snapshot/write.ts';
import { IPTABLES, META, rawArchive, snapshotFiles, tempDir } from './fixtures.ts';

/** What a read snapshot holds, in a form assert can compare exactly. */
function summary(s: Snapshot) {
  return {
    meta: s.meta,
    pods: s.k8s.pods.map((p) => `${p.namespace}/${p.name}`),
    nodes: s.k8s.nodes.map((n) => n.name),
    missingK8s: s.missingK8s,
    netns: [...s.netns.values()].map((n) => ({ id: n.id, dir: n.dir, fields: Object.keys(n).filter((k) => !['id', 'dir', 'missing'].includes(k)), missing: n.missing.length })),
    findings: s.findings,
  };
}

const EXPECTED_SUMMARY = {
  meta: JSON.parse(META),
  pods: ['default/sleep-1'],
  nodes: ['node-a'],
  missingK8s: ['k8s/services.json', 'k8s/endpointslices.json', 'k8s/namespaces.json'],
  netns: [
    { id: 'node:node-a', dir: 'nodes/node-a', fields: ['iptables', 'nftables', 'addrs'], missing: 8 },
    { id: 'pod:default/sleep-1', dir: 'pods/default/sleep-1', fields: ['routes'], missing: 10 },
  ],
  findings: [],
};

describe('readSnapshot: valid snapshots', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });

  for (const [name, target] of [['a directory', 'snap'], ['a .tar.gz archive', 'snap.tar.gz'], ['a .tgz archive', 'snap.tgz']]) {
    it(`reads ${name}`, async () => {
      const where = path.join(dir, target);
      await writeSnapshot(where, snapshotFiles());
      const snapshot = await readSnapshot(where);
      assert.equal(snapshot.path, where);
      assert.deepEqual(summary(snapshot), EXPECTED_SUMMARY);
      const node = snapshot.netns.get('node:node-a')!;
      assert.deepEqual(node.missing, ['ip6tables-save.txt', 'ipset.txt', 'ip-link.json', 'ip-rule.json', 'ip-route.json', 'sockets.txt', 'envoy-config-dump.json', 'ztunnel-config-dump.json'].map((f) => `nodes/node-a/${f}`));
      assert.deepEqual(node.addrs!.map((a) => [a.local, a.evidence.file]), [['127.0.0.1', 'nodes/node-a/ip-addr.json']]);
      assert.deepEqual([...node.iptables!.chains.keys()], ['ip/nat/PREROUTING']);
      assert.equal(node.iptables!.chains.get('ip/nat/PREROUTING')!.rules[0].evidence.file, 'nodes/node-a/iptables-save.txt');
      assert.deepEqual(snapshot.netns.get('pod:default/sleep-1')!.routes!.map((r) => r.dst), ['0.0.0.0/0']);
    });
  }

  it('accepts an archive whose files sit under one leading folder', async () => {
    const file = path.join(dir, 'wrapped.tar.gz');
    await rawArchive(file, [{ name: 'snap/', type: 'directory' }, ...[...snapshotFiles()].map(([name, content]) => ({ name: `snap/${name}`, content }))]);
    assert.deepEqual(summary(await readSnapshot(file)), EXPECTED_SUMMARY);
  });

  it('drops the iptables-nft tables from nft.json only when iptables-save.txt is present', async () => {
    const withBoth = await readSnapshot(await written(dir, 'both', snapshotFiles()));
    assert.deepEqual([...withBoth.netns.get('node:node-a')!.nftables!.chains.keys()], ['inet/istio-proxy-nat/prerouting']);
    assert.deepEqual(withBoth.netns.get('node:node-a')!.nftables!.iptablesNftTables, []);
    const files = snapshotFiles();
    files.delete('nodes/node-a/iptables-save.txt');
    const nftOnly = await readSnapshot(await written(dir, 'nft-only', files));
    assert.deepEqual([...nftOnly.netns.get('node:node-a')!.nftables!.chains.keys()], ['ip/nat/PREROUTING', 'inet/istio-proxy-nat/prerouting']);
  });

  it('parses a netns file only when its field is read, naming the file on error', async () => {
    const snapshot = await readSnapshot(await written(dir, 'lazy', snapshotFiles({ 'pods/default/sleep-1/ip-route.json': '[{"dst": ' })));
    const pod = snapshot.netns.get('pod:default/sleep-1')!;
    assert.throws(() => pod.routes, { name: 'InputError', message: /^pods\/default\/sleep-1\/ip-route\.json:1: invalid JSON/ });
    assert.equal(snapshot.netns.get('node:node-a')!.addrs!.length, 1);
  });

  it('keeps a parsed field once read', async () => {
    const snapshot = await readSnapshot(await written(dir, 'cached', snapshotFiles()));
    const node = snapshot.netns.get('node:node-a')!;
    assert.equal(node.addrs, node.addrs);
  });
});

describe('readSnapshot: refused input', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });

  const metaCases: { name: string; meta: string | undefined; message: string }[] = [
    { name: 'meta.json absent', meta: undefined, message: 'no meta.json at the root: not an istio-path snapshot (hint: a snapshot is a directory (or its .tar.gz) with meta.json at its root, laid out as in the README (Snapshots))' },
    { name: 'another format', meta: JSON.stringify({ format: 'istio-path-snapshot/v2' }), message: 'meta.json#/format: unsupported snapshot format "istio-path-snapshot/v2"; this build reads istio-path-snapshot/v1 (hint: capture the snapshot again with this version of istio-path, or use the version that wrote it)' },
    { name: 'no format', meta: JSON.stringify({ capturedAt: 'x' }), message: 'meta.json#/format: expected a format string ("istio-path-snapshot/v1"), found nothing' },
    { name: 'bad origin', meta: JSON.stringify({ format: 'istio-path-snapshot/v1', origin: 'mars' }), message: 'meta.json#/origin: expected one of live, example, lab, synthetic, found string "mars"' },
    { name: 'bad failure entry', meta: JSON.stringify({ format: 'istio-path-snapshot/v1', failures: [{ call: 'exec' }] }), message: 'meta.json#/failures/0/error: expected a string, found nothing' },
    { name: 'bad capture pair', meta: JSON.stringify({ format: 'istio-path-snapshot/v1', capture: { pair: [1] } }), message: 'meta.json#/capture/pair/0: expected a "namespace/name" string, found number 1' },
    { name: 'bad capture pairs', meta: JSON.stringify({ format: 'istio-path-snapshot/v1', capture: { pairs: [['default/sleep', 'default/httpbin'], 'default/sleep'] } }), message: 'meta.json#/capture/pairs/1: expected an array of two "namespace/name" strings, found string "default/sleep"' },
  ];
  for (const c of metaCases) {
    it(c.name, async () => {
      const files = snapshotFiles();
      if (c.meta === undefined) files.delete('meta.json');
      else files.set('meta.json', c.meta);
      const where = await written(dir, c.name.replace(/ /g, '-'), files);
      const expected = c.meta === undefined ? `${where}: ${c.message}` : c.message;
      await assert.rejects(readSnapshot(where), { name: 'InputError', message: expected });
    });
  }

  it('a path that does not exist', async () => {
    const where = path.join(dir, 'nowhere');
    await assert.rejects(readSnapshot(where), { name: 'InputError', message: `${where}: no such snapshot directory or archive (hint: a snapshot is a directory (or its .tar.gz) with meta.json at its root, laid out as in the README (Snapshots))` });
  });

  it('a malformed k8s list names its file', async () => {
    await assert.rejects(readSnapshot(await written(dir, 'bad-k8s', snapshotFiles({ 'k8s/nodes.json': '{"kind": "PodList", "items": []}' }))), { name: 'InputError', message: /^k8s\/nodes\.json#\/kind: expected kind List or NodeList/ });
  });

  const entryCases: { name: string; entry: Parameters<typeof rawArchive>[1][number]; why: string }[] = [
    { name: 'a .. entry', entry: { name: 'nodes/../../etc/passwd', content: 'x' }, why: 'refusing archive entry "nodes/../../etc/passwd": path leaves the snapshot (..)' },
    { name: 'an absolute path', entry: { name: '/etc/passwd', content: 'x' }, why: 'refusing archive entry "/etc/passwd": absolute path' },
    { name: 'a symlink', entry: { name: 'nodes/node-a/ip-route.json', type: 'symlink', linkname: '/etc/passwd' }, why: 'refusing archive entry "nodes/node-a/ip-route.json": symlink entries are not allowed' },
    { name: 'a hard link', entry: { name: 'k8s/services.json', type: 'link', linkname: 'meta.json' }, why: 'refusing archive entry "k8s/services.json": link entries are not allowed' },
    { name: 'a device', entry: { name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 }, why: 'refusing archive entry "dev": character-device entries are not allowed' },
    { name: 'a FIFO', entry: { name: 'fifo', type: 'fifo' }, why: 'refusing archive entry "fifo": fifo entries are not allowed' },
  ];
  for (const c of entryCases) {
    it(`an archive with ${c.name}`, async () => {
      const file = path.join(dir, `${c.name.replace(/\W/g, '_')}.tar.gz`);
      await rawArchive(file, [{ name: 'meta.json', content: META }, c.entry]);
      await assert.rejects(readSnapshot(file), { name: 'InputError', message: `${file}: ${c.why} (hint: a snapshot archive holds only regular files and folders under one root)` });
    });
  }

  it('a truncated archive', async () => {
    const file = path.join(dir, 'truncated.tar.gz');
    await rawArchive(file, [{ name: 'meta.json', content: META }, { name: 'nodes/node-a/iptables-save.txt', content: IPTABLES.repeat(200) }]);
    await truncate(file, Math.floor((await stat(file)).size / 2));
    await assert.rejects(readSnapshot(file), { name: 'InputError', message: `${file}: cannot read the archive: unexpected end of file (hint: the archive is truncated or is not a gzip-compressed tar; capture it again or check the download)` });
  });

  it('a file that is not gzip', async () => {
    const file = path.join(dir, 'plain.tar.gz');
    await writeFile(file, 'not an archive');
    await assert.rejects(readSnapshot(file), { name: 'InputError', message: `${file}: cannot read the archive: incorrect header check (hint: the archive is truncated or is not a gzip-compressed tar; capture it again or check the download)` });
  });

  it('a gzip whose tar stream ends early', async () => {
    const file = path.join(dir, 'short-tar.tar.gz');
    const whole = path.join(dir, 'whole.tar.gz');
    await rawArchive(whole, [{ name: 'meta.json', content: META.repeat(20) }]);
    const tarBytes = gunzipSync(await readFile(whole));
    await writeFile(file, gzipSync(tarBytes.subarray(0, 700)));
    await assert.rejects(readSnapshot(file), { name: 'InputError', message: `${file}: cannot read the archive: Unexpected end of data (hint: the archive is truncated or is not a gzip-compressed tar; capture it again or check the download)` });
  });

  it('an archive that decompresses past the cap stops early', async () => {
    const file = path.join(dir, 'bomb.tar.gz');
    await rawArchive(file, [{ name: 'meta.json', content: META }, { name: 'nodes/node-a/sockets.txt', content: Buffer.alloc(8 << 20) }]);
    assert.ok((await stat(file)).size < 64 << 10);
    await assert.rejects(readSnapshot(file, { maxBytes: 1 << 20 }), {
      name: 'InputError',
      message: `${file}: the archive decompresses to more than 1048576 bytes; refusing to read further (hint: a snapshot is a few megabytes per node; this archive may be a compression bomb, or pass a larger limit)`,
    });
  });
});

describe('readSnapshot: directory symlinks', () => {
  it('follows a symlink inside the snapshot and reports one that leaves it', async () => {
    const dir = await tempDir();
    const root = path.join(dir, 'snap');
    await writeSnapshot(root, snapshotFiles());
    await writeFile(path.join(dir, 'outside.json'), '[]');
    await mkdir(path.join(root, 'pods/default/other'), { recursive: true });
    await symlink(path.join(dir, 'outside.json'), path.join(root, 'pods/default/other/ip-rule.json'));
    await symlink('../../default/sleep-1/ip-route.json', path.join(root, 'pods/default/other/ip-route.json'));
    const snapshot = await readSnapshot(root);
    const other = snapshot.netns.get('pod:default/other')!;
    assert.ok(other.missing.includes('pods/default/other/ip-rule.json'));
    assert.deepEqual(other.routes!.map((r) => [r.dst, r.evidence.file]), [['0.0.0.0/0', 'pods/default/other/ip-route.json']]);
    assert.deepEqual(snapshot.findings, [
      {
        code: 'snapshot-entry-skipped',
        severity: 'warning',
        message: `pods/default/other/ip-rule.json is a symlink to ${path.join(await realpath(dir), 'outside.json')}, outside the snapshot; it was not read`,
        hops: [],
        evidence: [{ file: 'pods/default/other/ip-rule.json', missing: true }],
      },
    ]);
  });
});

describe('readDirectory: a file\'s bytes', () => {
  const FILE = 'nodes/node-a/iptables-save.txt';
  const bytes = Buffer.from(IPTABLES);

  /** The file's path, and the byte source the directory reader gives for it. */
  async function onDisk(): Promise<{ abs: string; source: ByteSource }> {
    const root = await written(await tempDir(), 'snap', snapshotFiles());
    return { abs: path.join(root, FILE), source: (await readDirectory(root)).files.get(FILE)!.bytes!() };
  }

  it('reads any range of the file, into the buffer given when it is long enough', async () => {
    const { source } = await onDisk();
    assert.equal(source.size, bytes.length);
    assert.deepEqual(Buffer.from(source.read(0, source.size)), bytes);
    assert.deepEqual(Buffer.from(source.read(5, 12)), bytes.subarray(5, 12));
    assert.equal(source.read(3, 3).length, 0);
    const into = new Uint8Array(16);
    const part = source.read(10, 20, into);
    assert.equal(part.buffer, into.buffer);
    assert.deepEqual(Buffer.from(part), bytes.subarray(10, 20));
    assert.deepEqual(Buffer.from(source.read(0, 20, into)), bytes.subarray(0, 20));
  });

  it('holds no descriptor between reads', { skip: !existsSync('/proc/self/fd') }, async () => {
    const { source } = await onDisk();
    const open = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 100; i++) source.read(0, source.size);
    assert.equal(readdirSync('/proc/self/fd').length, open);
  });

  it('a file that shrank or went away since the listing is an InputError naming it', async () => {
    const { abs, source } = await onDisk();
    await truncate(abs, 10);
    assert.deepEqual(Buffer.from(source.read(0, 10)), bytes.subarray(0, 10));
    const hint = 'the snapshot directory changed or is not readable by this user';
    assert.throws(() => source.read(5, 20), { name: 'InputError', file: FILE, message: `${FILE}: cannot read the file (it is shorter than the ${bytes.length} bytes it had when the snapshot was listed) (hint: ${hint})` });
    await rm(abs);
    assert.throws(() => source.read(0, 5), { name: 'InputError', file: FILE, message: `${FILE}: cannot read the file (ENOENT) (hint: ${hint})` });
  });
});

async function written(dir: string, name: string, files: Map<string, string>): Promise<string> {
  const where = path.join(dir, name);
  await writeSnapshot(where, files);
  return where;
}
