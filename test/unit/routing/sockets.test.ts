import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { kernelUnavailable, TempNetns } from '../../support/netns.ts';
import { parseSockets } from '../../../src/parse/sockets.ts';
import { findListener } from '../../../src/engine/sockets/lookup.ts';
import { InputError } from '../../../src/model/evidence.ts';
import type { Socket } from '../../../src/model/routing.ts';

const F = 'pods/default/httpbin/sockets.txt';

/** Lines as `ss -Htlnpe` printed them for real listeners (see the kernel-backed test below). */
const CAPTURED = [
  'LISTEN 0      128               0.0.0.0:15001 0.0.0.0:* users:(("envoy",pid=12,fd=34)) uid:1337 ino:14278 sk:1 cgroup:unreachable:1 <->         ',
  'LISTEN 0      128             127.0.0.1:15000 0.0.0.0:* users:(("envoy",pid=12,fd=6)) uid:1337 ino:14281 sk:2 cgroup:unreachable:1 <->         ',
  'LISTEN 0      128          127.0.0.1%lo:53    0.0.0.0:* users:(("dns",pid=8,fd=8)) ino:14283 sk:3 cgroup:unreachable:1 <->         ',
  'LISTEN 0      128                  [::]:15008    [::]:* users:(("ztunnel",pid=9,fd=5)) ino:14280 sk:4 cgroup:unreachable:1 v6only:1 <->',
  'LISTEN 0      128                     *:15006       *:* users:(("ztunnel",pid=9,fd=4)) ino:14279 sk:5 cgroup:unreachable:1 v6only:0 <->',
  'LISTEN 0      128    [::ffff:127.0.0.1]:80          *:* users:(("python3",pid=7,fd=7),("python3",pid=6,fd=7)) uid:1000 ino:14282 sk:7 v6only:0 <->',
  'LISTEN 0      4096                    *:8080        *:*',
  'LISTEN 0      128               0.0.0.0:15021 0.0.0.0:* users:(("ztunnel",pid=9,fd=6)) ino:14284 sk:8 fwmark:0x539 cgroup:unreachable:1 <->',
].join('\n');

test('ss -Htlnpe: addresses, interface, process, pid, uid, v6only, fwmark', () => {
  const ev = (line: number) => ({ file: F, line, text: CAPTURED.split('\n')[line - 1].trim() });
  assert.deepEqual(parseSockets(CAPTURED, F), [
    { proto: 'tcp', addr: '0.0.0.0', port: 15001, process: 'envoy', pid: 12, uid: 1337, evidence: ev(1) },
    { proto: 'tcp', addr: '127.0.0.1', port: 15000, process: 'envoy', pid: 12, uid: 1337, evidence: ev(2) },
    { proto: 'tcp', addr: '127.0.0.1', port: 53, iface: 'lo', process: 'dns', pid: 8, uid: 0, evidence: ev(3) },
    { proto: 'tcp', addr: '::', port: 15008, process: 'ztunnel', pid: 9, uid: 0, v6only: true, evidence: ev(4) },
    { proto: 'tcp', addr: '*', port: 15006, process: 'ztunnel', pid: 9, uid: 0, v6only: false, evidence: ev(5) },
    { proto: 'tcp', addr: '::ffff:127.0.0.1', port: 80, process: 'python3', pid: 7, uid: 1000, v6only: false, evidence: ev(6) },
    { proto: 'tcp', addr: '*', port: 8080, evidence: ev(7) },
    { proto: 'tcp', addr: '0.0.0.0', port: 15021, process: 'ztunnel', pid: 9, uid: 0, mark: 0x539, evidence: ev(8) },
  ]);
});

test('ss: a Netid column names the protocol; a header is skipped', () => {
  const text = 'Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\nudp UNCONN 0 0 0.0.0.0:53 0.0.0.0:*\n';
  assert.deepEqual(parseSockets(text, F), [{ proto: 'udp', addr: '0.0.0.0', port: 53, evidence: { file: F, line: 2, text: 'udp UNCONN 0 0 0.0.0.0:53 0.0.0.0:*' } }]);
});

test('ss: malformed lines are InputErrors naming the line', () => {
  const cases: [string, RegExp][] = [
    ['ESTAB 0 0 10.0.0.1:80 10.0.0.2:5555', /:1: expected a listening socket/],
    ['LISTEN 0 128\nLISTEN 0 128 0.0.0.0:1 0.0.0.0:*', /:1: expected "State Recv-Q/],
    ['\nLISTEN 0 128 0.0.0.0 0.0.0.0:*', /:2: expected a local address:port/],
    ['LISTEN 0 128 0.0.0.0:99999 0.0.0.0:*', /:1: expected a local address:port/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseSockets(text, F), (e: unknown) => e instanceof InputError && message.test(e.message));
});

test('findListener: exact beats wildcard, dual-stack takes IPv4 unless v6only, device binding', () => {
  const sockets = parseSockets(CAPTURED, F);
  const extra: Socket[] = [
    { proto: 'tcp', addr: '10.0.0.5', port: 15001, evidence: { file: F, line: 90 } },
    { proto: 'tcp', addr: '::', port: 9000, evidence: { file: F, line: 91 } },
    { proto: 'tcp', addr: '0.0.0.0', port: 9000, evidence: { file: F, line: 92 } },
    { proto: 'udp', addr: '0.0.0.0', port: 15001, evidence: { file: F, line: 93 } },
  ];
  const all = [...sockets, ...extra];
  const cases: [string, number, Socket['proto'], string | undefined, number | undefined][] = [
    ['10.0.0.5', 15001, 'tcp', undefined, 90],
    ['10.0.0.6', 15001, 'tcp', undefined, 1],
    ['10.0.0.6', 15001, 'udp', undefined, 93],
    ['127.0.0.1', 15000, 'tcp', undefined, 2],
    ['10.0.0.6', 15000, 'tcp', undefined, undefined],
    ['127.0.0.1', 53, 'tcp', 'lo', 3],
    ['127.0.0.1', 53, 'tcp', 'eth0', undefined],
    ['10.0.0.6', 15008, 'tcp', undefined, undefined],
    ['fd00::6', 15008, 'tcp', undefined, 4],
    ['10.0.0.6', 15006, 'tcp', undefined, 5],
    ['fd00::6', 15006, 'tcp', undefined, 5],
    ['127.0.0.1', 80, 'tcp', undefined, 6],
    ['::ffff:127.0.0.1', 80, 'tcp', undefined, 6],
    ['10.0.0.6', 9000, 'tcp', undefined, 92],
    ['fd00::6', 9000, 'tcp', undefined, 91],
    ['not-an-ip', 9000, 'tcp', undefined, undefined],
  ];
  for (const [addr, port, proto, iface, line] of cases) {
    assert.equal(findListener(all, addr, port, proto, iface)?.evidence.line, line, `${proto} ${addr}:${port}${iface ? ` on ${iface}` : ''}`);
  }
});

const skip = kernelUnavailable(['ip', 'ss', 'python3']);

test('ss -Htlnpe from real listeners parses to the expected sockets', { skip }, async () => {
  const ns = new TempNetns();
  const script = [
    'import socket, sys, time',
    'def l(f, a, p, v6=None, dev=None, mark=None):',
    '    s = socket.socket(f, socket.SOCK_STREAM)',
    '    if v6 is not None: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6)',
    '    if dev: s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())',
    '    if mark: s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, mark)',
    '    s.bind((a, p)); s.listen(); return s',
    'k = [l(socket.AF_INET, "0.0.0.0", 15001), l(socket.AF_INET6, "::", 15006, 0), l(socket.AF_INET6, "::", 15008, 1),',
    '     l(socket.AF_INET, "127.0.0.1", 15000), l(socket.AF_INET6, "::ffff:127.0.0.1", 80, 0), l(socket.AF_INET, "127.0.0.1", 53, dev="lo"),',
    '     l(socket.AF_INET, "0.0.0.0", 15021, mark=0x539)]',
    'print("ready", flush=True); time.sleep(30)',
  ].join('\n');
  const child = spawn('ip', ['netns', 'exec', ns.name, 'python3', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    ns.run('ip', ['link', 'set', 'lo', 'up']);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const text = spawnSync('ip', ['netns', 'exec', ns.name, 'ss', '-Htlnpe'], { encoding: 'utf8' }).stdout;
    const got = parseSockets(text, F).map(({ evidence, pid, ...s }) => ({ ...s, hasPid: pid !== undefined }));
    const want = [
      { proto: 'tcp', addr: '0.0.0.0', port: 15001 },
      { proto: 'tcp', addr: '127.0.0.1', port: 15000 },
      { proto: 'tcp', addr: '127.0.0.1', port: 53, iface: 'lo' },
      { proto: 'tcp', addr: '::', port: 15008, v6only: true },
      { proto: 'tcp', addr: '*', port: 15006, v6only: false },
      { proto: 'tcp', addr: '::ffff:127.0.0.1', port: 80, v6only: false },
      { proto: 'tcp', addr: '0.0.0.0', port: 15021, mark: 0x539 },
    ].map((s) => ({ ...s, process: 'python3', uid: 0, hasPid: true }));
    const order = (xs: object[]) => xs.map((x) => JSON.stringify(Object.fromEntries(Object.entries(x).sort()))).sort();
    assert.deepEqual(order(got), order(want));
  } finally {
    child.kill();
    ns.dispose();
  }
});
