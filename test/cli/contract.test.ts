import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { EXAMPLES } from '../../scripts/examples/topology.ts';
import { cli, ROOT } from './support.ts';

/** DESIGN.md, "The trace (JSON contract, apiVersion: istio-path/v1)". */
const COMPONENTS = ['app', 'kernel', 'sidecar', 'ztunnel', 'waypoint'];
const STATUSES = ['observed', 'inferred'];
const PROTOCOLS = ['tcp', 'mtls', 'hbone'];
const VERDICTS = ['delivered', 'dropped', 'no-route', 'unknown'];
const SEVERITIES = ['info', 'warning', 'error'];
const GENERATIONS = ['none', 'sidecar-iptables', 'sidecar-nftables', 'ambient-node', 'ambient-inpod-tproxy', 'ambient-inpod-redirect', 'ambient-inpod-nftables'];
const MODES = ['sidecar', 'ambient', 'none'];

const IPV4_PORT = /^(\d{1,3}\.){3}\d{1,3}:\d{1,5}$/;
const IPV6_PORT = /^\[[0-9a-fA-F:.]+\]:\d{1,5}$/;
const isAddrPort = (v: unknown) => typeof v === 'string' && (IPV4_PORT.test(v) || IPV6_PORT.test(v));
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves an RFC 6901 pointer; `undefined` when it names nothing. */
function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  if (!pointer.startsWith('/')) return undefined;
  let at: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) {
      if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) >= at.length) return undefined;
      at = at[Number(key)];
    } else if (isObj(at) && Object.hasOwn(at, key)) {
      at = at[key];
    } else {
      return undefined;
    }
  }
  return at;
}

/** Checks a trace against the contract and against the snapshot it names; returns every problem found. */
export function contractProblems(trace: unknown, snapshotDir: string): string[] {
  const problems: string[] = [];
  const bad = (where: string, what: string) => problems.push(`${where}: ${what}`);
  const fileCache = new Map<string, string | undefined>();
  const fileText = (file: string) => {
    if (!fileCache.has(file)) {
      const p = path.join(snapshotDir, file);
      fileCache.set(file, existsSync(p) ? readFileSync(p, 'utf8') : undefined);
    }
    return fileCache.get(file);
  };

  const checkEvidence = (where: string, e: unknown) => {
    if (!isObj(e)) return bad(where, 'not an object');
    if (!isStr(e.file)) return bad(where, 'no file');
    if (path.isAbsolute(e.file) || e.file.split('/').includes('..')) bad(where, `file ${e.file} is not relative to the snapshot root`);
    const text = fileText(e.file);
    if (e.missing !== undefined) {
      if (e.missing !== true) bad(where, 'missing is not true');
      if (text !== undefined) bad(where, `${e.file} is marked missing but the snapshot has it`);
      return;
    }
    const hasLine = e.line !== undefined;
    const hasPointer = e.pointer !== undefined;
    if (hasLine === hasPointer) return bad(where, `${e.file}: needs exactly one of line and pointer (or missing: true)`);
    if (text === undefined) return bad(where, `${e.file} is not in the snapshot`);
    if (hasLine) {
      if (!Number.isInteger(e.line) || (e.line as number) < 1) return bad(where, `line ${String(e.line)} is not a 1-based line number`);
      const lines = text.split('\n');
      if ((e.line as number) > lines.length) bad(where, `${e.file}:${e.line} is past the end of the file (${lines.length} lines)`);
    } else {
      if (typeof e.pointer !== 'string') return bad(where, 'pointer is not a string');
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        return bad(where, `${e.file} has a pointer but is not JSON`);
      }
      if (resolvePointer(doc, e.pointer) === undefined) bad(where, `${e.file}#${e.pointer} names nothing in the file`);
    }
    if (e.text !== undefined && typeof e.text !== 'string') bad(where, 'text is not a string');
  };

  const checkPacket = (where: string, p: unknown) => {
    if (!isObj(p)) return bad(where, 'not an object');
    if (!isStr(p.proto)) bad(where, 'no proto');
    if (!isAddrPort(p.src)) bad(where, `src ${String(p.src)} is not ip:port`);
    if (!isAddrPort(p.dst)) bad(where, `dst ${String(p.dst)} is not ip:port`);
    if (typeof p.mark !== 'string' || !/^0x[0-9a-f]+$/.test(p.mark)) bad(where, `mark ${String(p.mark)} is not hex`);
    if (p.outer !== undefined) {
      const o = p.outer;
      if (!isObj(o) || !isStr(o.type) || !isStr(o.src) || !isStr(o.dst) || !Number.isInteger(o.vni)) bad(where, `outer ${JSON.stringify(o)} is not {type, src, dst, vni}`);
    }
    if (p.hbone !== undefined) {
      const h = p.hbone;
      if (!isObj(h) || !isAddrPort(h.authority) || !Number.isInteger(h.port)) bad(where, `hbone ${JSON.stringify(h)} is not {authority, port}`);
    }
  };

  const checkHops = (where: string, hops: unknown) => {
    if (!Array.isArray(hops)) return bad(where, 'not an array');
    hops.forEach((h, i) => {
      const at = `${where}[${i}]`;
      if (!isObj(h)) return bad(at, 'not an object');
      if (h.n !== i + 1) bad(at, `n is ${String(h.n)}, expected ${i + 1}`);
      if (!COMPONENTS.includes(h.component as string)) bad(at, `component ${String(h.component)} not in ${COMPONENTS.join('|')}`);
      if (h.node !== undefined && !isStr(h.node)) bad(at, 'node is not a string');
      if (typeof h.netns !== 'string' || !/^(node:[^/\s]+|pod:[^/\s]+\/[^/\s]+)$/.test(h.netns)) bad(at, `netns ${String(h.netns)} is not node:<node> or pod:<ns>/<pod>`);
      if (!isStr(h.where)) bad(at, 'no where');
      if (!isStr(h.action)) bad(at, 'no action');
      if (!isObj(h.packet)) bad(at, 'no packet');
      else {
        checkPacket(`${at}.packet.before`, h.packet.before);
        checkPacket(`${at}.packet.after`, h.packet.after);
      }
      if (!STATUSES.includes(h.status as string)) bad(at, `status ${String(h.status)} not in ${STATUSES.join('|')}`);
      if (!Array.isArray(h.evidence) || h.evidence.length === 0) return bad(at, 'no evidence');
      h.evidence.forEach((e, j) => checkEvidence(`${at}.evidence[${j}]`, e));
      const missing = h.evidence.filter((e) => isObj(e) && e.missing === true).length;
      if (h.status === 'inferred' && missing === 0) bad(at, 'inferred but names no missing file');
      if (h.status === 'observed' && missing > 0) bad(at, 'observed but cites a missing file');
      if (h.note !== undefined && !isStr(h.note)) bad(at, 'note is not a string');
    });
  };

  if (!isObj(trace)) return ['trace: not an object'];
  const t = trace;
  if (t.apiVersion !== 'istio-path/v1') bad('apiVersion', String(t.apiVersion));
  if (t.kind !== 'Trace') bad('kind', String(t.kind));
  if (!isObj(t.snapshot) || !isStr(t.snapshot.path)) bad('snapshot', 'no path');
  for (const side of ['source', 'destination'] as const) {
    const e = t[side];
    if (!isObj(e)) {
      bad(side, 'not an object');
      continue;
    }
    if (!isStr(e.query)) bad(side, 'no query');
    if (e.mode !== undefined && !MODES.includes(e.mode as string)) bad(side, `mode ${String(e.mode)}`);
    if (e.generation !== undefined && !GENERATIONS.includes(e.generation as string)) bad(side, `generation ${String(e.generation)}`);
  }
  if (isObj(t.destination) && t.destination.port !== undefined && !Number.isInteger(t.destination.port)) bad('destination', 'port is not an integer');

  checkHops('hops', t.hops);
  const hopCount = Array.isArray(t.hops) ? t.hops.length : 0;
  if (hopCount === 0) bad('hops', 'empty');

  if (!Array.isArray(t.legs) || t.legs.length === 0) bad('legs', 'not a non-empty array');
  else {
    const owner = new Map<number, number[]>();
    t.legs.forEach((l, i) => {
      const at = `legs[${i}]`;
      if (!isObj(l)) return bad(at, 'not an object');
      if (l.n !== i + 1) bad(at, `n is ${String(l.n)}, expected ${i + 1}`);
      if (!isStr(l.from) || !isStr(l.to)) bad(at, 'no from/to');
      if (!PROTOCOLS.includes(l.protocol as string)) bad(at, `protocol ${String(l.protocol)} not in ${PROTOCOLS.join('|')}`);
      if (!isAddrPort(l.src) || !isAddrPort(l.dst)) bad(at, `src/dst ${String(l.src)} → ${String(l.dst)} are not ip:port`);
      if (!Array.isArray(l.hops) || l.hops.length === 0) return bad(at, 'no hops');
      for (const n of l.hops) {
        if (!Number.isInteger(n) || n < 1 || n > hopCount) bad(at, `hop ${String(n)} does not exist`);
        owner.set(n, [...(owner.get(n) ?? []), i + 1]);
      }
      for (let k = 1; k < l.hops.length; k++) if (l.hops[k] !== l.hops[k - 1] + 1) bad(at, `hops ${l.hops.join(',')} are not consecutive`);
    });
    for (let n = 1; n <= hopCount; n++) {
      const legs = owner.get(n) ?? [];
      if (legs.length !== 1) bad(`hop ${n}`, `belongs to ${legs.length} legs (${legs.join(', ')}), expected exactly one`);
    }
    // Legs follow the path: each starts where the previous ended.
    const starts = t.legs.map((l) => (isObj(l) && Array.isArray(l.hops) ? (l.hops[0] as number) : 0));
    for (let k = 1; k < starts.length; k++) if (!(starts[k] > starts[k - 1])) bad('legs', `leg ${k + 1} starts before leg ${k}`);
  }

  if (!VERDICTS.includes(t.verdict as string)) bad('verdict', `${String(t.verdict)} not in ${VERDICTS.join('|')}`);
  if (!isStr(t.reason)) bad('reason', 'empty');

  if (!Array.isArray(t.alternatives)) bad('alternatives', 'not an array');
  else t.alternatives.forEach((a, i) => {
    if (!isObj(a) || !isStr(a.reason)) return bad(`alternatives[${i}]`, 'no reason');
    checkHops(`alternatives[${i}].hops`, a.hops);
  });

  if (!Array.isArray(t.findings)) bad('findings', 'not an array');
  else t.findings.forEach((f, i) => {
    const at = `findings[${i}]`;
    if (!isObj(f)) return bad(at, 'not an object');
    if (typeof f.code !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(f.code)) bad(at, `code ${String(f.code)} is not kebab-case`);
    if (!SEVERITIES.includes(f.severity as string)) bad(at, `severity ${String(f.severity)}`);
    if (!isStr(f.message) || f.message.includes('\n')) bad(at, 'message is not one line');
    if (!Array.isArray(f.hops)) bad(at, 'hops is not an array');
    else for (const n of f.hops) if (!Number.isInteger(n) || n < 1 || n > hopCount) bad(at, `hop ${String(n)} does not exist`);
    if (!Array.isArray(f.evidence)) bad(at, 'evidence is not an array');
    else f.evidence.forEach((e, j) => checkEvidence(`${at}.evidence[${j}]`, e));
    if (f.fix !== undefined && !isStr(f.fix)) bad(at, 'fix is not a string');
  });

  return problems;
}

/**
 * Known engine gap: the routing hop that opens a proxy's new connection is recorded before the
 * route's source address is chosen, so its packet shows `:PORT` with no address. Kept apart (and
 * reported as a todo) so every other contract rule still fails the build.
 */
const UNBOUND_SOURCE = /^hops\[\d+\]\.packet\.(before|after): src :\d+ is not ip:port$/;

describe('trace -o json follows the istio-path/v1 contract', () => {
  for (const example of EXAMPLES) {
    for (const [src, dst] of example.traces) {
      describe(`${example.name}: ${src} → ${dst}`, () => {
        const problems = async () => {
          const r = await cli(['trace', src, dst, '--snapshot', `examples/${example.name}`, '-o', 'json']);
          assert.equal(r.code, 0, r.stderr);
          return contractProblems(JSON.parse(r.stdout), path.join(ROOT, 'examples', example.name));
        };
        it('shape, numbering, legs, verdict and evidence that resolves in the snapshot', async () => {
          assert.deepEqual((await problems()).filter((p) => !UNBOUND_SOURCE.test(p)), []);
        });
        it('every packet address is ip:port', async () => {
          assert.deepEqual((await problems()).filter((p) => UNBOUND_SOURCE.test(p)), []);
        });
      });
    }
  }
});

describe('a snapshot with gaps: inferred hops name the missing files', () => {
  let tmp = '';
  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('sidecar-iptables without the pods\' iptables-save.txt', async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'istio-path-contract-'));
    const dir = path.join(tmp, 'snap');
    await cp(path.join(ROOT, 'examples', 'sidecar-iptables'), dir, { recursive: true });
    for (const pod of await readdir(path.join(dir, 'pods', 'default'))) await rm(path.join(dir, 'pods', 'default', pod, 'iptables-save.txt'));
    const r = await cli(['trace', 'sleep', 'httpbin', '--snapshot', dir, '-o', 'json']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const trace = JSON.parse(r.stdout);
    assert.deepEqual(contractProblems(trace, dir), []);
    const inferred = trace.hops.filter((h: { status: string }) => h.status === 'inferred');
    assert.ok(inferred.length > 0, 'no inferred hop');
    assert.deepEqual(
      inferred.flatMap((h: { evidence: { file: string; missing?: true }[] }) => h.evidence.filter((e) => e.missing).map((e) => e.file)).filter((f: string) => f.endsWith('iptables-save.txt')),
      ['pods/default/sleep-9c7d8b6f5-k2lpx/iptables-save.txt', 'pods/default/httpbin-5f9b8c7d6-r8qwz/iptables-save.txt'],
    );
  });
});

describe('the contract checker itself', () => {
  const dir = path.join(ROOT, 'examples', 'sidecar-iptables');
  const load = async () => JSON.parse((await cli(['trace', 'sleep', 'httpbin', '--snapshot', 'examples/sidecar-iptables', '-o', 'json'])).stdout);

  it('reports a hop out of order, an unknown component and a hop in two legs', async () => {
    const t = await load();
    t.hops[1].n = 7;
    t.hops[2].component = 'gateway';
    t.legs[1].hops.unshift(t.legs[0].hops.at(-1));
    const problems = contractProblems(t, dir);
    assert.ok(problems.some((p) => p.startsWith('hops[1]: n is 7')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('hops[2]: component gateway')), problems.join('\n'));
    assert.ok(problems.some((p) => /^hop \d+: belongs to 2 legs/.test(p)), problems.join('\n'));
  });

  it('reports evidence that points nowhere', async () => {
    const t = await load();
    t.hops[0].evidence = [{ file: 'k8s/pods.json', pointer: '/items/99' }];
    t.hops[1].evidence = [{ file: 'k8s/pods.json' }];
    t.hops[2].evidence = [{ file: 'nodes/node-a/iptables-save.txt', missing: true }];
    t.verdict = 'accepted';
    const problems = contractProblems(t, dir).filter((p) => !UNBOUND_SOURCE.test(p));
    assert.deepEqual(problems, [
      'hops[0].evidence[0]: k8s/pods.json#/items/99 names nothing in the file',
      'hops[1].evidence[0]: k8s/pods.json: needs exactly one of line and pointer (or missing: true)',
      'hops[2].evidence[0]: nodes/node-a/iptables-save.txt is marked missing but the snapshot has it',
      'hops[2]: observed but cites a missing file',
      'verdict: accepted not in delivered|dropped|no-route|unknown',
    ]);
  });
});
