import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { link, mkdir, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { readSnapshot } from '../../../src/snapshot/read.ts';
import { writeSnapshot } from '../../../src/snapshot/write.ts';
import { cli } from '../../cli/support.ts';
import { META, snapshotFiles, tempDir } from './fixtures.ts';

const skippedFinding = (file: string, message: string) => ({ code: 'snapshot-entry-skipped', severity: 'warning', message, hops: [], evidence: [{ file, missing: true }] });

describe('readSnapshot: hostile directory snapshots', () => {
  it('does not read a hard-linked file, whose other name may be outside the snapshot', async () => {
    const dir = await tempDir();
    const root = path.join(dir, 'snap');
    await writeSnapshot(root, snapshotFiles());
    await writeFile(path.join(dir, 'private.json'), '[]');
    await mkdir(path.join(root, 'pods/default/other'), { recursive: true });
    await link(path.join(dir, 'private.json'), path.join(root, 'pods/default/other/ip-rule.json'));
    const snapshot = await readSnapshot(root);
    assert.ok(!snapshot.netns.has('pod:default/other'));
    assert.deepEqual(snapshot.findings, [skippedFinding('pods/default/other/ip-rule.json', 'pods/default/other/ip-rule.json is a hard link (2 names); a snapshot\'s files have one; it was not read')]);
  });

  it('does not follow a folder symlink that leaves the snapshot', async () => {
    const dir = await tempDir();
    const root = path.join(dir, 'snap');
    await writeSnapshot(root, snapshotFiles());
    await mkdir(path.join(dir, 'elsewhere/evil'), { recursive: true });
    await writeFile(path.join(dir, 'elsewhere/evil/ip-route.json'), '[]');
    await symlink(path.join(dir, 'elsewhere'), path.join(root, 'pods/outside'));
    const snapshot = await readSnapshot(root);
    assert.ok(!snapshot.netns.has('pod:outside/evil'));
    assert.deepEqual(snapshot.findings, [skippedFinding('pods/outside', `pods/outside is a symlink to ${path.join(await realpath(dir), 'elsewhere')}, outside the snapshot; it was not read`)]);
  });
});

describe('readSnapshot: a gzip bomb of realistic ratio', () => {
  it('256 MiB of zeros in a ~256 KiB archive stops at the cap, long before the end', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'bomb.tar.gz');
    const size = 256 << 20;
    const pack = tar.pack();
    const done = pipeline(pack, createGzip({ level: 9 }), createWriteStream(file));
    pack.entry({ name: 'meta.json' }, META);
    const entry = pack.entry({ name: 'nodes/node-a/iptables-save.txt', size });
    await pipeline(Readable.from((function* () {
      const chunk = Buffer.alloc(1 << 20);
      for (let i = 0; i < size >> 20; i++) yield chunk;
    })()), entry);
    pack.finalize();
    await done;
    const ratio = size / (await stat(file)).size;
    assert.ok(ratio > 900, `ratio ${ratio}`);
    const started = performance.now();
    await assert.rejects(readSnapshot(file, { maxBytes: 8 << 20 }), {
      name: 'InputError',
      message: `${file}: the archive decompresses to more than 8388608 bytes; refusing to read further (hint: a snapshot is a few megabytes per node; this archive may be a compression bomb, or pass a larger limit)`,
    });
    // Inflating all 256 MiB takes far longer than inflating the 8 MiB before the cap.
    assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`);
  });
});

describe('trace --max-snapshot-bytes', () => {
  it('passes its cap to the archive reader', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'snap.tar.gz');
    await writeSnapshot(file, snapshotFiles({ 'nodes/node-a/sockets.txt': ' '.repeat(4096) }));
    const r = await cli(['trace', 'sleep-1', '10.0.0.1:80', '--snapshot', file, '--max-snapshot-bytes', '2KiB']);
    assert.deepEqual(r, {
      code: 3,
      stdout: '',
      stderr: `error: cannot read the snapshot: ${file}: the archive decompresses to more than 2048 bytes; refusing to read further (hint: a snapshot is a few megabytes per node; this archive may be a compression bomb, or pass a larger limit)\n`,
    });
  });

  for (const bad of ['0', '-5', 'lots', '1.5G', '99999999999999999999']) {
    it(`refuses ${JSON.stringify(bad)} as a usage error`, async () => {
      const r = await cli(['trace', 'a', 'b', '--snapshot', 'x', '--max-snapshot-bytes', bad]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.split('\n')[0], `error: option '--max-snapshot-bytes <bytes>' argument '${bad}' is invalid. Expected a positive number of bytes, e.g. 1048576, 512MiB or 2GiB.`);
    });
  }
});
