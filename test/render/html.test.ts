import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { EXAMPLES } from '../../scripts/examples/topology.ts';
import { cli, goldenName } from '../cli/support.ts';
import { ARTIFACTS, labelHops } from './support.ts';
import type { Trace } from '../../src/model/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SKIP = HAVE_CHROMIUM ? false : `no ${CHROMIUM}: install Debian's chromium to run the HTML tests in a browser`;

let browser: BrowserContext | undefined;
let profile: string;

/** Opens a page from a file:// URL and returns what the browser made of it. */
async function open(file: string) {
  const page = await browser!.newPage();
  const logged: string[] = [];
  page.on('console', (m) => void logged.push(`${m.type()}: ${m.text()}`));
  // Nothing may leave the page: any request other than the page itself fails the test.
  const requests: string[] = [];
  page.on('request', (r) => void (r.url() !== pathToFileURL(file).href && requests.push(r.url())));
  await page.goto(pathToFileURL(file).href);
  return { page, console: logged, requests };
}

async function html(example: string, src: string, dst: string, snapshot = `examples/${example}`): Promise<{ file: string; trace: Trace }> {
  const r = await cli(['trace', src, dst, '--snapshot', snapshot, '-o', 'html']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const json = await cli(['trace', src, dst, '--snapshot', snapshot, '-o', 'json']);
  const file = path.join(ARTIFACTS, 'html', goldenName(example, src, dst, 'html'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, r.stdout);
  return { file, trace: JSON.parse(json.stdout) as Trace };
}

describe('trace -o html in headless Chromium', { skip: SKIP }, () => {
  before(async () => {
    const { chromium } = await import('playwright-core');
    profile = await mkdtemp(path.join(os.tmpdir(), 'istio-path-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await rm(profile, { recursive: true, force: true });
  });

  for (const example of EXAMPLES) {
    for (const [src, dst] of example.traces) {
      it(`${example.name}: ${src} → ${dst}: every node, pod and numbered arrow is in the SVG`, async () => {
        const { file, trace } = await html(example.name, src, dst);
        const { page, console, requests } = await open(file);
        const svg = await page.evaluate(() => ({
          clusters: [...document.querySelectorAll('svg g.cluster > text')].map((t) => t.textContent ?? ''),
          edges: [...document.querySelectorAll('svg g.edge > text')].map((t) => t.textContent ?? ''),
          boxes: [...document.querySelectorAll('svg g.node > text')].map((t) => t.textContent ?? ''),
        }));
        const nodes = [...new Set(trace.hops.flatMap((h) => (h.node ? [`node ${h.node}`] : [])))];
        const pods = [...new Set(trace.hops.flatMap((h) => (h.netns.startsWith('pod:') ? [h.netns.slice(4)] : [])))];
        for (const n of nodes) assert.ok(svg.clusters.includes(n), `no box "${n}" in ${JSON.stringify(svg.clusters)}`);
        for (const p of pods) assert.ok(svg.clusters.some((c) => c.startsWith(`pod ${p}`)), `no box for pod ${p} in ${JSON.stringify(svg.clusters)}`);
        // Graphviz writes arrows in its own order; each hop number still appears exactly once.
        assert.deepEqual(svg.edges.flatMap(labelHops).sort((a, b) => a - b), trace.hops.map((h) => h.n));
        if (trace.verdict !== 'delivered') assert.ok(svg.boxes.some((b) => b.startsWith(`${trace.verdict} at `)));
        assert.deepEqual(await page.locator('table.hops tr[id^="hop-"]').count(), trace.hops.length);
        assert.deepEqual(requests, []);
        assert.deepEqual(console, [], 'the page logs nothing (a CSP violation would show here)');
        await page.screenshot({ path: file.replace(/\.html$/, '.png'), fullPage: true });
        await page.close();
      });
    }
  }

  it('a hostile snapshot: markup in container, process, label, annotation and rule comment shows as text and runs nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'istio-path-hostile-'));
    try {
      const snap = path.join(dir, 'snapshot');
      await cp('examples/ambient-1.18-sleep-to-sidecar-httpbin', snap, { recursive: true });
      const IMG = '<img src=x onerror=window.__pwned=1>';
      const SCRIPT = '</script><script>window.__pwned=2</script>';
      const SVG = '<svg/onload=window.__pwned=3>';
      const pods = JSON.parse(await readFile(path.join(snap, 'k8s/pods.json'), 'utf8'));
      const sleep = pods.items[0];
      sleep.metadata.labels.hostile = IMG;
      sleep.metadata.annotations = { note: SCRIPT };
      sleep.spec.containers[0].name = SCRIPT;
      await writeFile(path.join(snap, 'k8s/pods.json'), JSON.stringify(pods, null, 2));
      const rules = path.join(snap, 'nodes/node-a/iptables-save.txt');
      await writeFile(rules, (await readFile(rules, 'utf8')).replace('-m set --match-set ztunnel-pods-ips src -j MARK', `-m set --match-set ztunnel-pods-ips src -m comment --comment "${IMG}" -j MARK`));
      const sockets = path.join(snap, 'pods/default/httpbin-7d8f6c9b5-4kq2m/sockets.txt');
      await writeFile(sockets, (await readFile(sockets, 'utf8')).replace('(("httpbin",', `(("${SVG}",`));

      const { file } = await html('hostile', 'sleep-6c4d9f7b8-x2x9q', 'httpbin', snap);
      const { page, console, requests } = await open(file);
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
      assert.equal(await page.locator('img, script, body svg svg').count(), 0, 'no element made from the input');
      const text = await page.locator('body').innerText();
      for (const s of [IMG, SCRIPT, SVG]) assert.ok(text.includes(s), `${s} is shown literally`);
      const boxes = await page.evaluate(() => [...document.querySelectorAll('svg g.node > text')].map((t) => t.textContent));
      assert.ok(boxes.includes(SCRIPT) && boxes.includes(SVG), `diagram boxes show the names literally: ${JSON.stringify(boxes)}`);
      assert.deepEqual(requests, []);
      assert.deepEqual(console, []);
      await page.screenshot({ path: file.replace(/\.html$/, '.png'), fullPage: true });
      await page.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
