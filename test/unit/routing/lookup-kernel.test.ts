import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { kernelUnavailable, TempNetns } from '../../support/netns.ts';
import { buildFixture } from './fixture.ts';
import { parseIpAddr } from '../../../src/parse/ip-addr.ts';
import { parseIpRule } from '../../../src/parse/ip-rule.ts';
import { parseIpRoute } from '../../../src/parse/ip-route.ts';
import { routeLookup, type RouteQuery } from '../../../src/engine/routing/lookup.ts';
import { TABLE_MAIN } from '../../../src/model/routing.ts';

const skip = kernelUnavailable(['ip']);

/** Queries covering each rule and route shape of the fixture; every one is also asked of the kernel. */
const QUERIES: RouteQuery[] = [
  { dst: '10.2.0.9', mark: 0 },
  { dst: '10.99.0.1', mark: 0x100 },
  { dst: '10.99.0.1', mark: 0x200 },
  { dst: '10.2.0.9', mark: 0x200 },
  { dst: '10.99.0.1', mark: 0x40 },
  { dst: '10.99.0.1', mark: 0x400 },
  { dst: '10.99.0.1', mark: 0x1400 },
  { dst: '10.99.0.1', mark: 0x401 },
  { dst: '10.1.0.1', mark: 0 },
  { dst: '10.1.0.255', mark: 0 },
  { dst: '10.50.1.1', src: '10.1.0.1', mark: 0 },
  { dst: '10.50.1.1', mark: 0 },
  { dst: '10.50.7.1', src: '10.1.0.1', mark: 0 },
  { dst: '10.50.8.1', src: '10.1.0.1', mark: 0 },
  { dst: '10.50.9.1', src: '10.1.0.1', mark: 0 },
  { dst: '10.50.10.1', src: '10.1.0.1', mark: 0 },
  { dst: '10.99.0.1', mark: 0x1007 },
  { dst: '10.99.0.1', mark: 0x1008 },
  { dst: '10.99.0.1', mark: 0x1009 },
  { dst: '10.99.0.1', mark: 0x3000 },
  { dst: '10.99.0.1', mark: 0x3000, src: '10.1.0.9', iif: 'va' },
  { dst: '10.99.0.1', mark: 0x5000 },
  { dst: '10.99.0.1', mark: 0x6000 },
  { dst: '10.60.1.1', mark: 0x6000 },
  { dst: '10.60.1.1', mark: 0 },
  { dst: '10.61.1.5', mark: 0 },
  { dst: '10.61.1.5', mark: 0, oif: 'va' },
  { dst: '10.99.0.1', mark: 0, oif: 'p1' },
  { dst: '10.99.0.1', mark: 0, src: '172.16.0.5', iif: 'va' },
  { dst: '172.20.1.1', mark: 0, src: '172.16.0.5', iif: 'va' },
  { dst: '172.20.1.1', mark: 0, src: '10.1.0.9', iif: 'va' },
  { dst: '172.20.1.1', mark: 0 },
  { dst: '10.61.1.5', mark: 0, oif: 'vx0' },
  { dst: '10.2.0.255', mark: 0, src: '10.2.0.9', iif: 'p1' },
  { dst: '10.99.0.1', mark: 0, src: '10.1.0.9', iif: 'va' },
  { dst: '10.99.0.1', mark: 0x400, src: '10.1.0.9', iif: 'va' },
  { dst: '10.1.0.1', mark: 0, src: '10.1.0.9', iif: 'va' },
  { dst: '10.20.0.7', mark: 0, src: '10.2.0.9', iif: 'p1' },
  { dst: '10.99.0.1', mark: 0x100, src: '10.2.0.9', iif: 'p1' },
  { dst: '10.50.1.1', mark: 0, src: '10.1.0.9', iif: 'va' },
  { dst: '10.50.7.1', mark: 0, src: '10.1.0.9', iif: 'va' },
  { dst: '192.168.127.2', mark: 0 },
  { dst: '10.50.8.1', mark: 0, src: '10.1.0.9', iif: 'va' },
  { dst: '10.50.9.1', mark: 0, src: '10.1.0.9', iif: 'va' },
  { dst: '10.50.10.1', mark: 0, src: '10.1.0.9', iif: 'va' },
  { dst: '10.99.0.1', mark: 0x1008, src: '10.1.0.9', iif: 'va' },
  { dst: '10.99.0.1', mark: 0x3000, oif: 'p1' },
  { dst: 'fd01::5', mark: 0 },
  { dst: 'fd00::1', mark: 0 },
  { dst: 'fd02::1', mark: 0 },
  { dst: 'fd02::1', mark: 0x400 },
  { dst: 'fd00::7', mark: 0x401 },
];

/** The kernel's errno for each way a lookup fails (`fib_props`, rule actions, ESRCH → ENETUNREACH). */
const ERRORS: Record<string, string> = {
  blackhole: 'Invalid argument',
  'unreachable-route': 'No route to host',
  'unreachable-rule': 'Network is unreachable',
  prohibit: 'Permission denied',
  'no-route': 'Network is unreachable',
};

function args(q: RouteQuery): string[] {
  const a = [q.dst.includes(':') ? '-6' : '-4', '-j', 'route', 'get', q.dst, 'mark', String(q.mark)];
  if (q.src) a.push('from', q.src);
  if (q.iif) a.push('iif', q.iif);
  if (q.oif) a.push('oif', q.oif);
  return a;
}

function kernelAnswer(ns: TempNetns, q: RouteQuery): string {
  const r = spawnSync('ip', ['netns', 'exec', ns.name, 'ip', ...args(q)], { encoding: 'utf8' });
  if (r.status !== 0) return `error: ${r.stderr.replace(/^RTNETLINK answers: /, '').trim()}`;
  const [hit] = JSON.parse(r.stdout) as { type?: string; table?: string; dev?: string; gateway?: string }[];
  const type = hit.type ?? 'unicast';
  const table = hit.table ?? 'main';
  // Local delivery goes by lo, whatever device the local or broadcast route names.
  return hit.dev === 'lo' && (type === 'local' || type === 'broadcast') ? `deliver ${type} table ${table}` : `${type} table ${table} dev ${hit.dev} via ${hit.gateway ?? '-'}`;
}

function tableText(t: number): string {
  return t === TABLE_MAIN ? 'main' : t === 255 ? 'local' : String(t);
}

function engineAnswer(data: Parameters<typeof routeLookup>[0], q: RouteQuery): string {
  const r = routeLookup(data, q);
  switch (r.kind) {
    case 'local':
      return `deliver ${r.route.type} table ${tableText(r.table)}`;
    case 'unicast':
      return `${r.route.type} table ${tableText(r.table)} dev ${r.dev} via ${r.gateway ?? '-'}`;
    case 'unreachable':
      return `error: ${ERRORS[r.route ? 'unreachable-route' : 'unreachable-rule']}`;
    default:
      return `error: ${ERRORS[r.kind]}`;
  }
}

const rendered = (q: RouteQuery) => `ip route get ${args(q).slice(4).join(' ')}`;

test('routeLookup agrees with the kernel (ip route get) on every query', { skip }, (t) => {
  const ns = new TempNetns();
  const peer = new TempNetns();
  try {
    buildFixture(ns, peer);
    const data = {
      rules: [...parseIpRule(ns.run('ip', ['-j', 'rule']), 'ip-rule.json'), ...parseIpRule(ns.run('ip', ['-6', '-j', 'rule']), 'ip6-rule.json', 6)],
      routes: parseIpRoute(ns.run('ip', ['-j', 'route', 'show', 'table', 'all']), 'ip-route.json'),
      addrs: parseIpAddr(ns.run('ip', ['-j', 'addr']), 'ip-addr.json'),
    };
    const rows = QUERIES.map((q) => ({ q: rendered(q), kernel: kernelAnswer(ns, q), engine: engineAnswer(data, q) }));
    for (const r of rows) t.diagnostic(`${r.q} → ${r.kernel}`);
    const disagreed = rows.filter((r) => r.kernel !== r.engine);
    t.diagnostic(`agreed ${rows.length - disagreed.length}/${rows.length}`);
    assert.deepEqual(disagreed, []);
  } finally {
    ns.dispose();
    peer.dispose();
  }
});
