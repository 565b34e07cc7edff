import type { Socket } from '../model/routing.ts';
import { InputError } from '../model/evidence.ts';
import { parseIp } from '../engine/net/cidr.ts';
import { quote } from './json.ts';

const PROTOS = new Set(['tcp', 'udp']);
const STATES = new Set(['LISTEN', 'UNCONN']);
const USER = /\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=\d+\)/;

/**
 * `ss -Htlnpe`: `State Recv-Q Send-Q Local:Port Peer:Port [users:((…))] [uid:N] [ino:…] [v6only:N]`.
 * Without `-t`/`-u` a leading Netid column names the protocol. A header line is tolerated.
 */
export function parseSockets(text: string, file: string): Socket[] {
  const out: Socket[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    const cols = line.trim().split(/\s+/);
    if (line.trim() === '' || cols[0] === 'State' || cols[0] === 'Netid') return;
    out.push(parseLine(cols, file, i + 1, line));
  });
  return out;
}

function parseLine(cols: string[], file: string, lineNo: number, line: string): Socket {
  const fail = (expected: string): never => {
    throw new InputError(file, { line: lineNo }, expected, 'the file should be the output of `ss -Htlnpe`');
  };
  const proto = PROTOS.has(cols[0]) ? (cols.shift() as Socket['proto']) : 'tcp';
  if (!STATES.has(cols[0])) fail(`expected a listening socket (LISTEN or UNCONN), found ${quote(cols[0] ?? '')}`);
  if (cols.length < 5 || !/^\d+$/.test(cols[1]) || !/^\d+$/.test(cols[2])) fail('expected "State Recv-Q Send-Q Local:Port Peer:Port"');
  const local = splitEndpoint(cols[3]) ?? fail(`expected a local address:port, found ${quote(cols[3])}`);
  const socket: Socket = { proto, addr: local.addr, port: local.port, evidence: { file, line: lineNo, text: line.trim() } };
  if (local.iface !== undefined) socket.iface = local.iface;
  Object.assign(socket, extras(cols.slice(5).join(' ')));
  return socket;
}

/** `0.0.0.0:15001`, `*:15006`, `[::]:15008`, `[::ffff:127.0.0.1]:80`, `127.0.0.1%lo:53`, `[fe80::1]%eth0:53`. */
export function splitEndpoint(text: string): { addr: string; port: number; iface?: string } | undefined {
  // Split by index, not by a pattern: a regular expression with an optional zone backtracks
  // quadratically on a long run of `%`.
  const colon = text.lastIndexOf(':');
  if (colon < 0 || !/^\d+$/.test(text.slice(colon + 1))) return undefined;
  const port = Number(text.slice(colon + 1));
  const host = text.slice(0, colon);
  const close = host.startsWith('[') ? host.indexOf(']') : -1;
  let addr = close > 0 ? host.slice(1, close) : host;
  let zone = close > 0 ? host.slice(close + 1) : '';
  if (close < 0) {
    const at = host.indexOf('%');
    if (at >= 0) [addr, zone] = [host.slice(0, at), host.slice(at)];
  }
  if (zone !== '' && !/^%[^:\]]+$/.test(zone)) return undefined;
  let iface = zone === '' ? undefined : zone.slice(1);
  // Some ss builds put the zone inside the brackets.
  const inner = addr.lastIndexOf('%');
  if (close > 0 && inner >= 0) [addr, iface] = [addr.slice(0, inner), addr.slice(inner + 1)];
  // The socket lookup compares addresses; `*` is ss's wildcard of a dual-stack socket.
  if ((addr !== '*' && parseIp(addr) === undefined) || port > 65535) return undefined;
  return iface === undefined || iface === '' ? { addr, port } : { addr, port, iface };
}

/** `ss -e` prints `uid:` only when it is not 0, so with `-e` (its `ino:` is there) an absent uid means root. */
function extras(rest: string): Partial<Socket> {
  const out: Partial<Socket> = {};
  const user = USER.exec(rest);
  if (user) [out.process, out.pid] = [user[1], Number(user[2])];
  const uid = /(?:^|\s)uid:(\d+)/.exec(rest);
  if (uid) out.uid = Number(uid[1]);
  else if (/(?:^|\s)ino:\d+/.test(rest)) out.uid = 0;
  const v6only = /(?:^|\s)v6only:([01])/.exec(rest);
  if (v6only) out.v6only = v6only[1] === '1';
  const mark = /(?:^|\s)fwmark:(0x[0-9a-f]+)/i.exec(rest);
  if (mark) out.mark = Number(mark[1]);
  return out;
}
