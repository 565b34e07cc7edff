import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { cli } from '../cli/support.ts';
import { e } from '../../src/render/html.ts';
import { q } from '../../src/render/dot.ts';

const args = ['trace', 'sleep', 'httpbin', '--snapshot', 'examples/sidecar-iptables'];

describe('diagram and explorer outputs', () => {
  it('-i without a terminal prints the -o output instead', async () => {
    const text = await cli(args);
    const interactive = await cli([...args, '-i']);
    assert.deepEqual(interactive, text);
    const json = await cli([...args, '-o', 'json']);
    assert.deepEqual(await cli([...args, '-o', 'json', '-i']), json);
  });

  it('-o html: one page whose CSP allows only its own stylesheet', async () => {
    const r = await cli([...args, '-o', 'html']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(r.stdout)?.[1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(r.stdout)?.[1] ?? '';
    assert.equal(csp, `default-src 'none'; style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'; base-uri 'none'; form-action 'none'`);
    assert.doesNotMatch(r.stdout, /<script|src=|href="(?!#)/, 'nothing to load, nothing to run');
    assert.equal(r.stdout.match(/<svg /g)?.length, 1);
  });

  it('HTML escaping', () => {
    const cases: [string, string][] = [
      ['<img src=x onerror=alert(1)>', '&#60;img src=x onerror=alert(1)&#62;'],
      ['</script><script>x</script>', '&#60;/script&#62;&#60;script&#62;x&#60;/script&#62;'],
      [`a"b'c&d`, 'a&#34;b&#39;c&#38;d'],
      ['\x1b[31mred\n', '\\x1b[31mred\\n'],
    ];
    for (const [input, out] of cases) assert.equal(e(input), out, input);
  });

  it('DOT quoting: quotes, backslash escapes and entities stay literal', () => {
    const cases: [string, string][] = [
      ['plain', '"plain"'],
      ['say "hi"', '"say \\"hi\\""'],
      ['\\N\\l', '"\\\\N\\\\l"'],
      ['&lt;b&gt;', '"&amp;lt;b&amp;gt;"'],
      ['two\nlines', '"two\\\\nlines"'],
    ];
    for (const [input, out] of cases) assert.equal(q(input), out, input);
  });
});
