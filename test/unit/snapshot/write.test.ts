import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeSnapshot } from '../../../src/snapshot/write.ts';
import { tempDir } from './fixtures.ts';

describe('writeSnapshot', () => {
  it('writes nested files of a directory snapshot', async () => {
    const dir = path.join(await tempDir(), 'snap');
    await writeSnapshot(dir, new Map<string, string | Buffer>([['meta.json', '{}'], ['pods/default/a/sockets.txt', Buffer.from('LISTEN')]]));
    assert.equal(await readFile(path.join(dir, 'pods/default/a/sockets.txt'), 'utf8'), 'LISTEN');
  });

  for (const name of ['../escape', '/etc/passwd', 'nodes//x', 'nodes/./x', '']) {
    it(`refuses the path "${name}"`, async () => {
      const dir = path.join(await tempDir(), 'snap.tar.gz');
      await assert.rejects(writeSnapshot(dir, new Map([[name, 'x']])), { name: 'InputError', message: `${dir}: cannot write snapshot file "${name}": expected a relative path inside the snapshot` });
    });
  }
});
