import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ztunnelInbound, type ZInboundConn, type ZNext, type ZtunnelLogic } from '../../../src/engine/ztunnel/index.ts';
import type { ZtunnelState } from '../../../src/model/ztunnel.ts';
import { legacy, mesh } from './fixtures.ts';

function brief(n: ZNext): string {
  if (n.kind === 'deny') return `deny ${n.reason}`;
  if (n.kind === 'hbone') return `hbone ${n.ip}:${n.port} authority ${n.authority} via ${n.via}`;
  return `${n.kind} ${n.ip}:${n.port}`;
}

const hb = (authority: string, podIp: string, srcIp = '10.244.1.5'): ZInboundConn => ({ port: 15008, authority, originalDst: { ip: podIp, port: 15008 }, srcIp });

const cases: { name: string; state: ZtunnelState; logic?: ZtunnelLogic; conn: ZInboundConn; next: string }[] = [
  { name: 'HBONE to the local workload → TCP to authority', state: mesh, conn: hb('10.244.2.8:9080', '10.244.2.8'), next: 'tcp 10.244.2.8:9080' },
  { name: 'HBONE at the waypoint pod for a service it serves (sandwich) → the waypoint', state: mesh, conn: hb('10.96.120.7:8000', '10.244.2.52'), next: 'tcp 10.244.2.52:8000' },
  {
    name: 'HBONE authority for a destination without that waypoint → IPMismatch',
    state: mesh, conn: hb('10.96.9.9:5432', '10.244.2.52'),
    next: 'deny CONNECT authority 10.96.9.9:5432 is neither 10.244.2.52 nor a destination whose waypoint is default/waypoint-1 (IPMismatch, 400)',
  },
  { name: 'HBONE to ztunnel\'s own port → SelfCall', state: mesh, conn: hb('10.244.2.8:15006', '10.244.2.8'), next: 'deny CONNECT to ztunnel\'s own port 15006 (SelfCall, 400)' },
  { name: 'malformed authority → 400', state: mesh, conn: hb('reviews:9080', '10.244.2.8'), next: 'deny CONNECT authority reviews:9080 is not ip:port (400)' },
  {
    name: '1.19–1.21: a workload with a waypoint refuses a caller that is not the waypoint',
    state: mesh, logic: '1.19-1.21', conn: hb('10.244.2.8:9080', '10.244.2.8'),
    next: 'deny bypassed waypoint: default/reviews-1 only accepts HBONE from its waypoint 10.96.65.117:15008 (401)',
  },
  { name: '1.19–1.21: the waypoint is accepted', state: mesh, logic: '1.19-1.21', conn: hb('10.244.2.8:9080', '10.244.2.8', '10.244.2.52'), next: 'tcp 10.244.2.8:9080' },
  {
    name: '1.19–1.21: authority IP differs from the reached IP → ip mismatch',
    state: mesh, logic: '1.19-1.21', conn: hb('10.96.120.7:8000', '10.244.2.52'),
    next: 'deny CONNECT authority 10.96.120.7:8000 does not match the reached IP 10.244.2.52 (ip mismatch, 400)',
  },
  { name: '1.18: waypoint pod calling its workload is accepted', state: legacy, conn: hb('10.244.2.4:80', '10.244.2.4', '10.244.2.30'), next: 'tcp 10.244.2.4:80' },
  { name: 'plaintext 15006 → original destination', state: mesh, conn: { port: 15006, originalDst: { ip: '10.244.3.4', port: 15432 }, srcIp: '10.244.1.5' }, next: 'tcp 10.244.3.4:15432' },
  {
    name: '1.19–1.21: plaintext to a workload with a waypoint goes out through the waypoint',
    state: mesh, logic: '1.19-1.21', conn: { port: 15006, originalDst: { ip: '10.244.2.8', port: 9080 }, srcIp: '10.244.1.5' },
    next: 'hbone 10.244.2.52:15008 authority 10.244.2.8:9080 via waypoint',
  },
  { name: 'plaintext to an unknown IP → UnknownDestination', state: mesh, conn: { port: 15006, originalDst: { ip: '10.1.1.1', port: 80 }, srcIp: '10.244.1.5' }, next: 'deny no workload has the IP 10.1.1.1 (UnknownDestination)' },
  { name: 'another port is no inbound listener', state: mesh, conn: { port: 15001, srcIp: '10.244.1.5' }, next: 'deny port 15001 is not a ztunnel inbound port (15008 HBONE, 15006 plaintext)' },
];

for (const c of cases) {
  test(`inbound: ${c.name}`, () => {
    const r = ztunnelInbound(c.state, c.conn, c.logic ? { logic: c.logic } : undefined);
    assert.equal(brief(r.next), c.next);
  });
}
