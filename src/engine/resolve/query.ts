import { parseIp } from '../net/cidr.ts';
import { ResolveError } from './error.ts';

export type WorkloadKind = 'pod' | 'deployment' | 'statefulset' | 'daemonset' | 'service';

/** One reading of the argument; `NAME.NAMESPACE` has two (a dotted pod name, or a name in a namespace). */
export interface Reading {
  name: string;
  kind?: WorkloadKind;
  /** Set when the argument itself names the namespace; `-n` then does not apply. */
  namespace?: string;
}

export type Query =
  | { form: 'ip'; ip: string; port?: string }
  | { form: 'name'; readings: Reading[]; port?: string };

const KINDS: Record<string, WorkloadKind> = {
  po: 'pod', pod: 'pod', pods: 'pod',
  deploy: 'deployment', deployment: 'deployment', deployments: 'deployment',
  sts: 'statefulset', statefulset: 'statefulset', statefulsets: 'statefulset',
  ds: 'daemonset', daemonset: 'daemonset', daemonsets: 'daemonset',
  svc: 'service', service: 'service', services: 'service',
};

/** Splits `[kind/|namespace/]name[.namespace][:port]`, an IP, or `ip:port` / `[ipv6]:port`. */
export function parseQuery(text: string): Query {
  const bracketed = /^\[([^\]]+)\]:(.+)$/.exec(text);
  if (bracketed && isIp(bracketed[1])) return { form: 'ip', ip: bracketed[1], port: bracketed[2] };
  if (isIp(text)) return { form: 'ip', ip: text };
  const colon = text.lastIndexOf(':');
  const [target, port] = colon >= 0 ? [text.slice(0, colon), text.slice(colon + 1)] : [text, undefined];
  if (port === '' || target === '') throw new ResolveError(`cannot read "${text}": expected NAME, KIND/NAME, NAMESPACE/NAME, NAME.NAMESPACE or an IP, optionally followed by :PORT`);
  if (isIp(target)) return { form: 'ip', ip: target, port };
  return { form: 'name', readings: readings(target, text), port };
}

function readings(target: string, text: string): Reading[] {
  const parts = target.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) throw new ResolveError(`cannot read "${text}": expected at most one "/" (KIND/NAME or NAMESPACE/NAME)`);
  if (parts.length === 2) {
    const kind = KINDS[parts[0].toLowerCase()];
    return [kind ? { kind, name: parts[1] } : { namespace: parts[0], name: parts[1] }];
  }
  const svcDns = /^([^.]+)\.([^.]+)\.svc(\..*)?$/.exec(target);
  if (svcDns) return [{ kind: 'service', name: svcDns[1], namespace: svcDns[2] }];
  const dot = target.lastIndexOf('.');
  if (dot <= 0 || dot === target.length - 1) return [{ name: target }];
  // Pod names may contain dots; the literal name is tried before NAME.NAMESPACE.
  return [{ name: target }, { name: target.slice(0, dot), namespace: target.slice(dot + 1) }];
}

/** One address parser for the whole engine: the CIDR helpers' own. */
export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}
