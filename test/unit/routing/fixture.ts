import { TempNetns } from '../../support/netns.ts';

/**
 * A namespace shaped like a node of legacy ambient (tables 100–102, fwmark rules, goto, a TPROXY
 * `local default dev lo` table) plus the devices the parsers must recognise. Geneve cannot be created
 * on every kernel, so VXLAN stands in for the tunnel shape.
 */
export const SETUP: string[][] = [
  ['link', 'set', 'lo', 'up'],
  ['link', 'set', 'va', 'address', '02:00:00:00:00:0a', 'up'],
  ['addr', 'add', '10.1.0.1/24', 'dev', 'va'],
  ['addr', 'add', 'fd00::1/64', 'dev', 'va', 'nodad'],
  ['link', 'add', 'p1', 'address', '02:00:00:00:00:01', 'type', 'veth', 'peer', 'name', 'p2', 'address', '02:00:00:00:00:02'],
  ['link', 'set', 'p1', 'up'],
  ['link', 'set', 'p2', 'up'],
  ['addr', 'add', '10.2.0.1/24', 'dev', 'p1'],
  ['link', 'add', 'vx0', 'address', '02:00:00:00:00:03', 'type', 'vxlan', 'id', '1001', 'remote', '10.1.0.2', 'local', '10.1.0.1', 'dstport', '4789', 'dev', 'va'],
  ['link', 'add', 'vx1', 'address', '02:00:00:00:00:04', 'type', 'vxlan', 'id', '1000', 'group', '239.1.1.1', 'dstport', '6081', 'dev', 'va'],
  ['link', 'add', 'br0', 'address', '02:00:00:00:00:05', 'type', 'bridge'],
  ['link', 'set', 'vx1', 'master', 'br0'],
  ['link', 'set', 'vx0', 'up'],
  ['addr', 'add', '192.168.127.1/30', 'dev', 'vx0'],
  ['rule', 'add', 'pref', '100', 'fwmark', '0x200/0x200', 'goto', '32766'],
  ['rule', 'add', 'pref', '101', 'fwmark', '0x100/0x100', 'lookup', '101'],
  ['rule', 'add', 'pref', '102', 'fwmark', '0x040/0x040', 'lookup', '102'],
  ['rule', 'add', 'pref', '103', 'lookup', '100'],
  ['rule', 'add', 'pref', '200', 'fwmark', '0x400/0xfff', 'lookup', '150'],
  ['rule', 'add', 'pref', '300', 'not', 'from', '10.0.0.0/8', 'iif', 'va', 'lookup', '300'],
  ['rule', 'add', 'pref', '400', 'from', '10.1.0.0/24', 'to', '10.50.0.0/16', 'lookup', '400'],
  ['rule', 'add', 'pref', '500', 'fwmark', '0x1007', 'blackhole'],
  ['rule', 'add', 'pref', '501', 'fwmark', '0x1008', 'unreachable'],
  ['rule', 'add', 'pref', '502', 'fwmark', '0x1009', 'prohibit'],
  ['rule', 'add', 'pref', '503', 'nop'],
  ['rule', 'add', 'pref', '600', 'iif', 'lo', 'fwmark', '0x3000', 'goto', '700'],
  ['rule', 'add', 'pref', '601', 'fwmark', '0x3000', 'lookup', '601'],
  ['rule', 'add', 'pref', '700', 'fwmark', '0x3000', 'lookup', '700'],
  ['rule', 'add', 'pref', '800', 'fwmark', '0x5000', 'goto', '850'],
  ['rule', 'add', 'pref', '900', 'fwmark', '0x6000', 'lookup', 'main', 'suppress_prefixlength', '0'],
  ['rule', 'add', 'pref', '901', 'fwmark', '0x6000', 'blackhole'],
  ['rule', 'add', 'pref', '950', 'oif', 'p1', 'lookup', '950'],
  ['route', 'add', '10.2.0.9', 'dev', 'p1', 'table', '100'],
  ['route', 'add', '10.20.0.7/32', 'via', '192.168.127.2', 'dev', 'vx0', 'src', '10.1.0.1', 'table', '100'],
  ['route', 'add', 'default', 'via', '192.168.127.2', 'dev', 'vx0', 'table', '101'],
  ['route', 'add', '10.2.0.9', 'dev', 'p1', 'scope', 'link', 'table', '102'],
  ['route', 'add', 'default', 'via', '10.2.0.9', 'dev', 'p1', 'onlink', 'table', '102'],
  ['route', 'add', 'local', 'default', 'dev', 'lo', 'table', '150'],
  ['route', 'add', '172.20.0.0/16', 'via', '10.1.0.254', 'dev', 'va', 'table', '300'],
  ['route', 'add', '10.50.0.0/16', 'via', '10.1.0.253', 'dev', 'va', 'table', '400'],
  ['route', 'add', 'throw', '10.50.7.0/24', 'table', '400'],
  ['route', 'add', 'unreachable', '10.50.8.0/24', 'table', '400'],
  ['route', 'add', 'prohibit', '10.50.9.0/24', 'table', '400'],
  ['route', 'add', 'blackhole', '10.50.10.0/24', 'table', '400'],
  ['route', 'add', 'default', 'via', '10.1.0.251', 'dev', 'va', 'table', '601'],
  ['route', 'add', 'default', 'via', '10.1.0.250', 'dev', 'va', 'table', '700'],
  ['route', 'add', 'default', 'via', '10.2.0.2', 'dev', 'p1', 'table', '950'],
  ['route', 'add', 'default', 'via', '10.1.0.254', 'dev', 'va'],
  ['route', 'add', '10.60.0.0/16', 'via', '10.1.0.9', 'dev', 'va', 'metric', '10'],
  ['route', 'add', '10.60.0.0/16', 'via', '10.2.0.9', 'dev', 'p1', 'metric', '5'],
  ['route', 'add', '10.61.0.0/16', 'dev', 'va', 'metric', '50'],
  ['route', 'add', '10.61.1.0/24', 'dev', 'p1'],
  ['-6', 'route', 'add', 'fd01::/64', 'via', 'fd00::2', 'dev', 'va'],
  ['-6', 'route', 'add', 'local', 'default', 'dev', 'lo', 'table', '150'],
  ['-6', 'rule', 'add', 'pref', '200', 'fwmark', '0x400/0xfff', 'lookup', '150'],
];

/** Builds the fixture in `ns`, with the far end of `va` in `peer`. */
export function buildFixture(ns: TempNetns, peer: TempNetns): void {
  ns.run('ip', ['link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', peer.name]);
  peer.run('ip', ['link', 'set', 'vb', 'up']);
  peer.run('ip', ['link', 'set', 'lo', 'up']);
  for (const args of SETUP) ns.run('ip', args);
  ns.run('sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv4.conf.va.rp_filter=0', 'net.ipv4.conf.p1.rp_filter=0']);
}
