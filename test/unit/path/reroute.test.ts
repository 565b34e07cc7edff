import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { predictStored, REGRESSIONS } from '../../lab/regressions.ts';
import type { Regression } from '../../lab/random.ts';

/**
 * Re-routing inside OUTPUT, on the one-pod lab snapshot of a regression case: the app pod (10.244.1.5,
 * default route via eth0) with its rules, ip rules and routes replaced per test. The regression cases
 * `filter-mark-no-reroute` and `output-device-after-reroute` pin the rest against the kernel.
 */
const base = JSON.parse(readFileSync(path.join(REGRESSIONS, 'reroute-before-filter.json'), 'utf8')) as Regression;

function withPod(rules: string, o: { dst: string; dport: number; ipRules?: unknown[]; routes?: unknown[] }): Regression {
  const snap: Record<string, string> = { ...base.snapshot, 'pods/lab/app/iptables-save.txt': rules, 'pods/lab/app/nft.json': '{"nftables": []}\n' };
  if (o.ipRules) snap['pods/lab/app/ip-rule.json'] = JSON.stringify([...JSON.parse(base.snapshot['pods/lab/app/ip-rule.json']), ...o.ipRules]);
  if (o.routes) snap['pods/lab/app/ip-route.json'] = JSON.stringify([...JSON.parse(base.snapshot['pods/lab/app/ip-route.json']), ...o.routes]);
  const conn = { from: 'pod' as const, uid: 1000, mark: 0, dst: o.dst, dport: o.dport };
  return { ...base, case: { ...base.case, connections: [conn] }, connection: 0, snapshot: snap };
}

const blackholeFor1 = {
  ipRules: [{ priority: 100, src: 'all', fwmark: '0x1', table: '100' }],
  routes: [{ type: 'blackhole', dst: 'default', table: '100', flags: [] }],
};

test('a mark set in mangle OUTPUT re-routes before filter OUTPUT: a blackhole drops the packet, filter never sees it (checked in the lab)', async () => {
  const r = await predictStored(withPod('*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j MARK --set-mark 1\nCOMMIT\n*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j REJECT\nCOMMIT\n', { dst: '10.244.1.1', dport: 80, ...blackholeFor1 }));
  assert.deepEqual(r, { outcome: { kind: 'dropped' }, fired: ['pods/lab/app/iptables-save.txt:3'] });
});
