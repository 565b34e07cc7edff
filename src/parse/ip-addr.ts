import type { Address } from '../model/routing.ts';
import { InputError } from '../model/evidence.ts';
import { parseIp } from '../engine/net/cidr.ts';
import { isArray, isNumber, isObject, isString, need, parseJsonText, ptr, quote } from './json.ts';

const FAMILIES: Record<string, 4 | 6> = { inet: 4, inet6: 6 };

/** `ip -j addr`: one entry per link, each with its `addr_info`. Non-IP families (e.g. mpls) carry no address for routing. */
export function parseIpAddr(text: string, file: string): Address[] {
  const links = need(parseJsonText(text, file, 'the output of `ip -j addr`'), isArray, file, '', 'a JSON array (`ip -j addr`)');
  const out: Address[] = [];
  links.forEach((link, i) => {
    const at = ptr('', i);
    const obj = need(link, isObject, file, at, 'an interface object');
    const ifname = need(obj.ifname, isString, file, ptr(at, 'ifname'), 'an interface name');
    const ifindex = need(obj.ifindex, isNumber, file, ptr(at, 'ifindex'), 'an interface index');
    const infos = obj.addr_info === undefined ? [] : need(obj.addr_info, isArray, file, ptr(at, 'addr_info'), 'an array of addresses');
    infos.forEach((info, j) => {
      const where = ptr(at, 'addr_info', j);
      const a = need(info, isObject, file, where, 'an address object');
      // iproute2 prints `{}` for addresses filtered out of the dump.
      if (a.family === undefined && a.local === undefined) return;
      const family = FAMILIES[need(a.family, isString, file, ptr(where, 'family'), 'an address family')];
      if (family === undefined) return;
      const local = need(a.local, isString, file, ptr(where, 'local'), 'an address');
      if (parseIp(local)?.family !== family) throw new InputError(file, { pointer: ptr(where, 'local') }, `expected an IPv${family} address, found ${quote(local)}`);
      const prefixlen = need(a.prefixlen, isNumber, file, ptr(where, 'prefixlen'), 'a prefix length');
      if (!Number.isInteger(prefixlen) || prefixlen < 0 || prefixlen > (family === 4 ? 32 : 128)) {
        throw new InputError(file, { pointer: ptr(where, 'prefixlen') }, `prefix length ${prefixlen} out of range for IPv${family}`);
      }
      const inet = family === 4 ? 'inet' : 'inet6';
      out.push({ ifname, ifindex, family, local, prefixlen, evidence: { file, pointer: where, text: `${ifindex}: ${ifname} ${inet} ${local}/${prefixlen}` } });
    });
  });
  return out;
}
