import { parseZtunnelConfigDump } from '../../../src/parse/ztunnel-config-dump.ts';

/**
 * A small mesh: sleep (HBONE) calls httpbin (HBONE, service waypoint `waypoint` 10.96.65.117),
 * reviews (two HBONE pods whose workloads name the waypoint; the service does not), legacy-db (TCP, port 5432→15432).
 */
const wp = { destination: '/10.96.65.117', hboneMtlsPort: 15008 };
const pod = (name: string, ip: string, extra: Record<string, unknown> = {}) => ({
  workloadIps: [ip],
  protocol: 'HBONE',
  uid: `K//Pod/default/${name}`,
  name,
  namespace: 'default',
  serviceAccount: name.replace(/-\d+$/, ''),
  trustDomain: 'cluster.local',
  status: 'Healthy',
  ...extra,
});
const ep = (name: string, ip: string, port: Record<string, number>) => [`K//Pod/default/${name}`, { workloadUid: `K//Pod/default/${name}`, address: `/${ip}`, port }];
const svc = (name: string, vip: string, ports: Record<string, number>, eps: unknown[][], extra: Record<string, unknown> = {}) => ({
  name,
  namespace: 'default',
  hostname: `${name}.default.svc.cluster.local`,
  vips: [`/${vip}`],
  ports,
  endpoints: Object.fromEntries(eps),
  ...extra,
});

export const MESH_FILE = 'pods/istio-system/ztunnel-a/ztunnel-config-dump.json';

export const mesh = parseZtunnelConfigDump(
  JSON.stringify({
    workloads: [
      pod('sleep-1', '10.244.1.5'),
      pod('httpbin-1', '10.244.2.7', { waypoint: wp }),
      pod('reviews-1', '10.244.2.8', { waypoint: wp }),
      pod('reviews-2', '10.244.2.9', { waypoint: wp }),
      pod('legacy-db-1', '10.244.3.4', { protocol: 'TCP' }),
      pod('waypoint-1', '10.244.2.52', { protocol: 'TCP' }),
    ],
    services: [
      svc('waypoint', '10.96.65.117', { '15008': 15008 }, [ep('waypoint-1', '10.244.2.52', { '15008': 15008 })]),
      svc('httpbin', '10.96.120.7', { '8000': 80 }, [ep('httpbin-1', '10.244.2.7', { '8000': 80 })], { waypoint: wp }),
      svc('reviews', '10.96.74.131', { '9080': 9080 }, [ep('reviews-2', '10.244.2.9', { '9080': 9080 }), ep('reviews-1', '10.244.2.8', { '9080': 9080 })]),
      svc('legacy-db', '10.96.9.9', { '5432': 15432 }, [ep('legacy-db-1', '10.244.3.4', { '5432': 15432 })]),
    ],
  }),
  MESH_FILE,
);

/** 1.18 node-level: httpbin (HBONE) lists waypoint pod 10.244.2.30; its VIP 10.96.131.224:8000 → 80. */
export const legacy = parseZtunnelConfigDump(
  JSON.stringify({
    workloads: {
      '10.244.1.5': { workloadIp: '10.244.1.5', protocol: 'TCP', name: 'sleep-1', namespace: 'default', serviceAccount: 'sleep', node: 'node-a' },
      '10.244.2.4': { workloadIp: '10.244.2.4', waypointAddresses: ['10.244.2.30'], protocol: 'HBONE', name: 'httpbin-1', namespace: 'default', serviceAccount: 'httpbin', node: 'node-b' },
      '10.244.2.30': { workloadIp: '10.244.2.30', protocol: 'TCP', name: 'httpbin-waypoint-1', namespace: 'default', serviceAccount: 'httpbin-waypoint', node: 'node-b' },
      '10.244.1.9': { workloadIp: '10.244.1.9', protocol: 'HBONE', name: 'helloworld-1', namespace: 'default', serviceAccount: 'helloworld', node: 'node-a' },
      '10.244.2.11': { workloadIp: '10.244.2.11', protocol: 'HBONE', name: 'echo-1', namespace: 'default', serviceAccount: 'echo', node: 'node-b' },
    },
    vips: { '10.96.131.224:8000': [['10.244.2.4', 80]], '10.96.5.5:80': [['10.244.2.11', 8080]] },
    proxy_mode: 'Shared',
    local_node: 'node-a',
    config: { local_ip: '10.244.1.3' },
  }),
  'nodes/node-a/ztunnel-config-dump.json',
);
