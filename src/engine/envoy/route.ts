import type { RouteConfig, RouteEntry, VirtualHost, WeightedCluster } from '../../model/envoy.ts';

export interface HttpRequest {
  host: string;
  path: string;
  /** An HTTP CONNECT (HBONE): only `connect_matcher` routes match it. */
  connect: boolean;
}

/** Envoy's domain search: exact, then the longest `*suffix`, then the longest `prefix*`, then `*`. */
export function selectVirtualHost(rc: RouteConfig, hostIn: string): VirtualHost | undefined {
  const host = hostIn.toLowerCase();
  const hosts = rc.virtualHosts;
  const exact = hosts.find((vh) => vh.domains.some((d) => d.toLowerCase() === host));
  if (exact) return exact;
  return (
    longest(hosts, (d) => d.length > 1 && d.startsWith('*') && host.length > d.length - 1 && host.endsWith(d.slice(1).toLowerCase())) ??
    longest(hosts, (d) => d.length > 1 && d.endsWith('*') && host.length > d.length - 1 && host.startsWith(d.slice(0, -1).toLowerCase())) ??
    hosts.find((vh) => vh.domains.includes('*'))
  );
}

function longest(hosts: VirtualHost[], fits: (domain: string) => boolean): VirtualHost | undefined {
  let best: VirtualHost | undefined;
  let bestLen = -1;
  for (const vh of hosts) {
    for (const d of vh.domains) {
      if (fits(d) && d.length > bestLen) {
        best = vh;
        bestLen = d.length;
      }
    }
  }
  return best;
}

/** The first route whose match fits; routes that need request headers never fit a request that carries none. */
export function selectRoute(vh: VirtualHost, req: HttpRequest): RouteEntry | undefined {
  return vh.routes.find((r) => routeFits(r, req));
}

function routeFits(r: RouteEntry, req: HttpRequest): boolean {
  const m = r.match;
  if (m.headers?.length) return false;
  if (req.connect) return m.connect === true;
  if (m.connect) return false;
  const path = req.path.split('?')[0];
  const cs = m.caseSensitive !== false;
  const norm = (s: string): string => (cs ? s : s.toLowerCase());
  if (m.path !== undefined) return norm(path) === norm(m.path);
  if (m.prefix !== undefined) return norm(path).startsWith(norm(m.prefix));
  if (m.safeRegex !== undefined) return fullMatch(m.safeRegex, path);
  return false;
}

function fullMatch(re: string, s: string): boolean {
  try {
    return new RegExp(`^(?:${re})$`).test(s);
  } catch {
    return false;
  }
}

/** The heaviest weighted cluster (the first on ties) stands for the route; the others are alternatives. */
export function splitWeighted(ws: WeightedCluster[]): { main: WeightedCluster; others: WeightedCluster[] } | undefined {
  if (!ws.length) return undefined;
  const main = ws.reduce((a, b) => (b.weight > a.weight ? b : a));
  return { main, others: ws.filter((w) => w !== main) };
}
