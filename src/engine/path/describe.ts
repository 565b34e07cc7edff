import type { Action, Rule } from '../../model/index.ts';
import { hex } from './record.ts';

/** A one-line, iptables-flavoured rendering of what a rule did, for a hop's `action`. */
export function describeAction(a: Action, rule: Rule): string {
  switch (a.kind) {
    case 'accept': return 'ACCEPT';
    case 'drop': return 'DROP';
    case 'reject': return `REJECT${a.with ? ` --reject-with ${a.with}` : ''}`;
    case 'return': return 'RETURN';
    case 'jump': case 'goto': return `${a.kind} ${a.chain}`;
    case 'redirect': return `REDIRECT to port ${a.ports ? ports(a.ports) : '(unchanged)'}`;
    case 'tproxy': return `TPROXY to ${a.ip ?? '(destination address)'}:${a.port}${a.mark ? ` mark ${hex(a.mark.value)}/${hex(a.mark.mask)}` : ''}`;
    case 'dnat': return `DNAT to ${a.addr ?? ''}${a.ports ? `:${ports(a.ports)}` : ''}`;
    case 'snat': return `SNAT to ${a.addr ?? ''}${a.ports ? `:${ports(a.ports)}` : ''}`;
    case 'masquerade': return 'MASQUERADE';
    case 'mark': return `MARK --set-xmark ${hex(a.xor)}/${hex(a.clear)}`;
    case 'connmark-set': return `CONNMARK --set-xmark ${hex(a.xor)}/${hex(a.clear)}`;
    case 'connmark-save': return `CONNMARK --save-mark --nfmask ${hex(a.nfmask)} --ctmask ${hex(a.ctmask)}`;
    case 'connmark-restore': return `CONNMARK --restore-mark --nfmask ${hex(a.nfmask)} --ctmask ${hex(a.ctmask)}`;
    case 'ct': return a.notrack ? 'NOTRACK' : `CT --zone ${a.zone ?? 0}`;
    case 'log': return `LOG${a.prefix ? ` ${a.prefix}` : ''}`;
    case 'trace': return 'TRACE';
    case 'counter': return 'counter';
    case 'unsupported': return `${a.text} (not understood)`;
  }
  return rule.evidence.text ?? 'rule';
}

function ports(r: [number, number]): string {
  return r[0] === r[1] ? String(r[0]) : `${r[0]}-${r[1]}`;
}
