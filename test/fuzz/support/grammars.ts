import fc from 'fast-check';
import { HUGE_NUMBERS } from './mutate.ts';

/**
 * Inputs generated from each format's grammar: mostly valid, with a share of near-valid pieces (a
 * wrong type, a missing field, a stray token, a number at the edge of its width) so parsers meet
 * both their accepting and their refusing paths.
 */

/** A value of the right shape most of the time; otherwise absent or any JSON value. */
function field<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> {
  return fc.oneof({ weight: 30, arbitrary: valid }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
}

/** An object from a record of field arbitraries, absent fields dropped (as JSON would not carry them). */
function obj(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const shaped = Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, field(a)]));
  return fc.record(shaped).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
}

/** JSON text of a value, sometimes damaged at the text level (a cut, a stray byte). */
function jsonText(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.tuple(value, fc.integer({ min: 0, max: 9 }), fc.nat()).map(([v, damage, at]) => {
    const text = JSON.stringify(v, null, damage % 2 === 0 ? undefined : 2) ?? 'null';
    if (damage === 0) return text.slice(0, at % (text.length + 1));
    if (damage === 1) return text.slice(0, at % (text.length + 1)) + '\u0000' + text.slice(at % (text.length + 1));
    return text;
  });
}

const list = <T>(a: fc.Arbitrary<T>, maxLength = 6) => fc.array(a, { maxLength });

const hugeNumber = fc.constantFrom(...HUGE_NUMBERS);
const junk = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), hugeNumber, fc.constantFrom('"', '\\', '!', '--', '-j', '/', ':', '[', '%'));
const ipv4 = fc.oneof(fc.ipV4(), fc.constantFrom('10.244.1.5', '127.0.0.1', '0.0.0.0', '169.254.7.127', '10.96.0.1'));
const ipv6 = fc.oneof(fc.ipV6(), fc.constantFrom('::', '::1', 'fd00::1', '::ffff:10.0.0.1', 'fe80::1'));
const ip = fc.oneof({ weight: 4, arbitrary: ipv4 }, { weight: 2, arbitrary: ipv6 }, { weight: 1, arbitrary: junk });
const cidr = fc.oneof(fc.tuple(ipv4, fc.integer({ min: 0, max: 33 })).map(([a, l]) => `${a}/${l}`), fc.tuple(ipv6, fc.integer({ min: 0, max: 129 })).map(([a, l]) => `${a}/${l}`), ip);
const port = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(80, 8080, 15001, 15006, 15008, 15053, 53) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 65536 }) });
const smallInt = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(-1, 4294967295, 4294967296, 1e21, 1.5));
const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('eth0', 'lo', 'veth1', 'istioin', 'istioout', 'pistioin', 'ztunnel', 'sleep', 'httpbin', 'default', 'node-a') }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) });
const hex = fc.oneof(fc.constantFrom('0x100', '0x539', '0x111', '0xfff', '0x0', '0xffffffff', '0x1ffffffff'), fc.nat().map((n) => `0x${n.toString(16)}`));

/* ---------- iptables-save ---------- */

const IPT_MATCHES = [
  '-p tcp', '-p udp', '! -p tcp', '-s 10.0.0.0/8', '-d 127.0.0.1/32', '! -d 127.0.0.1/32', '-i lo', '-o eth0', '-i veth+', '! -o lo',
  '-m owner --uid-owner 1337', '-m owner ! --gid-owner 1337', '-m mark --mark 0x1/0x1', '-m connmark --mark 0x111/0xfff', '-m set --match-set ztunnel-pods-ips src',
  '-m set ! --match-set ztunnel-pods-ips dst,dst', '-m multiport --dports 53,15008', '-m multiport ! --sports 1:1024', '-m tcp --dport 15008', '-m udp --dport 53', '-m tcp ! --dport 15021:15023',
  '-m addrtype --dst-type LOCAL', '-m addrtype ! --src-type LOCAL --limit-iface-out', '-m conntrack --ctstate RELATED,ESTABLISHED', '-m state --state NEW', '-m socket --transparent',
  '-m socket --transparent --nowildcard --restore-skmark', '-m comment --comment "ztunnel: redirect"', '-m comment --comment \\"x\\"', '-m statistic --mode random --probability 0.50000000000',
  '-m physdev --physdev-in veth1', '-m tcp --tcp-flags FIN,SYN,RST,ACK SYN', '-m foo --bar',
];
const IPT_TARGETS = [
  '-j ACCEPT', '-j RETURN', '-j DROP', '-j ISTIO_REDIRECT', '-g ISTIO_OUTPUT', '-j ISTIO_OUTPUT', '-j REDIRECT --to-ports 15001', '-j REDIRECT --to-ports 15001-15002',
  '-j TPROXY --on-port 15006 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1', '-j MARK --set-xmark 0x100/0x100', '-j MARK --set-mark 0x539', '-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff',
  '-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff', '-j CONNMARK --set-xmark 0x111/0xfff', '-j DNAT --to-destination 10.0.0.1:80', '-j SNAT --to-source 1.2.3.4', '-j MASQUERADE',
  '-j CT --zone 1', '-j NOTRACK', '-j LOG --log-prefix "x "', '-j REJECT --reject-with icmp-port-unreachable', '-j', '-j NOPE',
];
const IPT_CHAINS = ['PREROUTING', 'OUTPUT', 'INPUT', 'POSTROUTING', 'FORWARD', 'ISTIO_OUTPUT', 'ISTIO_REDIRECT', 'ISTIO_INBOUND', 'ztunnel-PREROUTING', 'KUBE-SERVICES'];

const iptChain = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...IPT_CHAINS) }, { weight: 1, arbitrary: junk });
const iptRule = fc
  .tuple(fc.constantFrom('-A', '-I', '-A'), iptChain, list(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...IPT_MATCHES) }, { weight: 1, arbitrary: junk }), 4), fc.option(fc.constantFrom(...IPT_TARGETS)), fc.option(fc.tuple(fc.nat(), fc.nat())))
  .map(([op, chain, ms, t, counters]) => `${counters ? `[${counters[0]}:${counters[1]}] ` : ''}${op} ${chain} ${ms.join(' ')} ${t ?? ''}`.trimEnd());
const iptDecl = fc.tuple(iptChain, fc.constantFrom('ACCEPT', 'DROP', '-', 'BOGUS'), fc.nat(), fc.nat()).map(([c, p, a, b]) => `:${c} ${p} [${a}:${b}]`);
const iptTable = fc.tuple(fc.constantFrom('nat', 'mangle', 'raw', 'filter', 'security', 'bogus'), list(iptDecl, 4), list(iptRule, 8), fc.boolean()).map(([t, decls, rules, commit]) => [`*${t}`, ...decls, ...rules, ...(commit ? ['COMMIT'] : [])].join('\n'));
export const iptablesSave = fc.tuple(fc.constantFrom('', '# Generated by iptables-save v1.8.9 (nf_tables)\n'), list(fc.oneof({ weight: 6, arbitrary: iptTable }, { weight: 1, arbitrary: junk }), 4)).map(([head, tables]) => head + tables.join('\n') + '\n');

/* ---------- ipset save ---------- */

const setName = fc.oneof(fc.constantFrom('ztunnel-pods-ips', 'istio-inpod-probes-v4', 'KUBE-X'), junk);
const ipsetLine = fc.oneof(
  fc.tuple(setName, fc.constantFrom('hash:ip', 'hash:net', 'hash:ip,port', 'bitmap:port'), fc.constantFrom('family inet', 'family inet6', 'family', 'family ipx', ''), fc.constantFrom('hashsize 1024 maxelem 65536', 'comment', '')).map(([n, t, f, o]) => `create ${n} ${t} ${f} ${o}`),
  fc.tuple(setName, cidr, fc.constantFrom('', 'nomatch', 'comment "pod x"', 'timeout 5')).map(([n, v, o]) => `add ${n} ${v} ${o}`),
  junk,
);
export const ipsetSave = list(ipsetLine, 12).map((ls) => ls.join('\n') + '\n');

/* ---------- ss -Htlnpe ---------- */

const endpoint = fc.oneof(fc.tuple(fc.oneof(ipv4, fc.constantFrom('*', '0.0.0.0')), port).map(([a, p]) => `${a}:${p}`), fc.tuple(ipv6, port).map(([a, p]) => `[${a}]:${p}`), fc.tuple(ipv4, name, port).map(([a, i, p]) => `${a}%${i}:${p}`), junk);
const socketLine = fc
  .tuple(fc.constantFrom('', 'tcp ', 'udp '), fc.constantFrom('LISTEN', 'UNCONN', 'ESTAB'), smallInt, smallInt, endpoint, fc.constantFrom('0.0.0.0:*', '[::]:*', '*:*'), fc.option(fc.tuple(name, fc.nat(), fc.nat())), fc.option(fc.nat()), fc.constantFrom('', 'ino:12345 sk:1', 'v6only:1', 'v6only:0'))
  .map(([proto, state, rq, sq, local, peer, user, uid, rest]) => `${proto}${state} ${rq} ${sq} ${local} ${peer} ${user ? `users:(("${user[0]}",pid=${user[1]},fd=${user[2]}))` : ''} ${uid !== null ? `uid:${uid}` : ''} ${rest}`);
export const sockets = list(fc.oneof({ weight: 8, arbitrary: socketLine }, { weight: 1, arbitrary: junk }), 10).map((ls) => ls.join('\n') + '\n');

/* ---------- ip -j ---------- */

const family = fc.constantFrom('inet', 'inet6', 'mpls', 'link');
export const ipAddr = jsonText(list(obj({ ifindex: smallInt, ifname: name, addr_info: list(obj({ family, local: ip, prefixlen: smallInt, scope: fc.constantFrom('global', 'host') })) })));

const linkinfo = obj({ info_kind: fc.constantFrom('veth', 'geneve', 'vxlan', 'bridge', 'dummy', 'ipip'), info_data: obj({ id: smallInt, remote: ip, remote6: ipv6, local: ip, port: port, group: ip }) });
export const ipLink = jsonText(
  list(obj({ ifindex: smallInt, ifname: name, link: name, link_index: smallInt, link_netnsid: smallInt, link_type: fc.constantFrom('ether', 'loopback', 'none'), flags: fc.subarray(['UP', 'LOWER_UP', 'BROADCAST']), operstate: fc.constantFrom('UP', 'DOWN', 'UNKNOWN'), mtu: smallInt, address: fc.string(), master: name, linkinfo })),
);

const table = fc.oneof(fc.constantFrom('main', 'local', 'default', 'unspec', '133', 'custom'), smallInt);
export const ipRule = jsonText(
  list(
    obj({
      priority: smallInt, src: fc.oneof(ip, fc.constant('all')), srclen: smallInt, dst: ip, dstlen: smallInt, iif: name, oif: name, fwmark: fc.oneof(hex, fc.tuple(hex, hex).map(([a, b]) => `${a}/${b}`), smallInt), fwmask: hex,
      table, goto: smallInt, action: fc.constantFrom('blackhole', 'unreachable', 'prohibit', 'nat'), nop: fc.constant(null), not: fc.constant(null), ipproto: fc.constantFrom('tcp', 'udp', 'ipproto-6', 'bogus', 6),
      sport: port, dport_start: port, dport_end: port, l3mdev: fc.constant(null), suppress_prefixlen: smallInt, tos: fc.constant('0x10'),
    }),
    8,
  ),
);
const nexthop = obj({ gateway: ip, dev: name, weight: smallInt, flags: fc.subarray(['onlink', 'pervasive']) });
export const ipRoute = jsonText(
  list(
    obj({
      type: fc.constantFrom('unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'throw', 'nat'), dst: fc.oneof(fc.constant('default'), cidr), gateway: ip, via: obj({ family, host: ip }), dev: name, prefsrc: ip,
      scope: fc.constantFrom('link', 'host', 'global'), metric: smallInt, table, flags: fc.subarray(['onlink', 'linkdown']), pref: fc.constant('medium'), nexthops: list(nexthop, 3), protocol: fc.constantFrom('kernel', 'boot'),
    }),
    10,
  ),
);

/* ---------- nft -j list ruleset ---------- */

const nftFamily = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('ip', 'ip6', 'inet') }, { weight: 1, arbitrary: fc.constantFrom('netdev', 'bridge', 'arp') });
const nftTable = fc.constantFrom('istio-proxy-nat', 'istio-ambient-nat', 'nat', 'mangle');
const nftChain = fc.constantFrom('prerouting', 'output', 'istio-output', 'istio-redirect', 'PREROUTING');
const payload = (protocol: string, f: string) => ({ payload: { protocol, field: f } });
const NFT_LEFT: unknown[] = [payload('tcp', 'dport'), payload('ip', 'daddr'), payload('ip6', 'saddr'), payload('th', 'dport'), { meta: { key: 'mark' } }, { meta: { key: 'l4proto' } }, { meta: { key: 'skuid' } }, { meta: { key: 'oifname' } }, { meta: { key: 'nfproto' } }, { ct: { key: 'state' } }, { ct: { key: 'mark' } }, { '&': [{ meta: { key: 'mark' } }, 4095] }, { fib: { flags: ['daddr'], result: 'type' } }, { socket: { key: 'transparent' } }];
const NFT_RIGHT: unknown[] = [15008, 'tcp', '127.0.0.1', { prefix: { addr: '10.0.0.0', len: 8 } }, { set: [53, 15008, { range: [1, 1024] }] }, 'lo', 1337, 'ipv4', ['established', 'related'], 'local', 1, '@ztunnel-pods', { range: [2, 1] }];
const nftMatch = fc.tuple(fc.constantFrom(...NFT_LEFT), fc.constantFrom('==', '!=', 'in', '<', '>=', '&'), fc.oneof(fc.constantFrom(...NFT_RIGHT), fc.jsonValue({ maxDepth: 2 }))).map(([left, op, right]) => ({ match: { op, left, right } }));
const NFT_STATEMENTS: unknown[] = [
  { accept: null }, { drop: null }, { return: null }, { jump: { target: 'istio-output' } }, { goto: { target: 'istio-redirect' } }, { jump: { target: 'nowhere' } }, { counter: { packets: 1, bytes: 60 } }, { counter: null }, { log: { prefix: 'x' } },
  { redirect: { port: 15001 } }, { redirect: null }, { dnat: { family: 'ip', addr: '10.0.0.1', port: 80 } }, { snat: { addr: '1.2.3.4' } }, { masquerade: null }, { tproxy: { family: 'ip', addr: '127.0.0.1', port: 15006 } },
  { mangle: { key: { meta: { key: 'mark' } }, value: { '|': [{ meta: { key: 'mark' } }, 1337] } } }, { mangle: { key: { ct: { key: 'mark' } }, value: { meta: { key: 'mark' } } } }, { mangle: { key: { ct: { key: 'zone' } }, value: 1 } }, { notrack: null },
  { reject: { type: 'tcp reset' } }, { xt: { type: 'match', name: 'foo' } }, { queue: { num: 1 } },
];
const nftExpr = fc.oneof({ weight: 5, arbitrary: nftMatch }, { weight: 4, arbitrary: fc.constantFrom(...NFT_STATEMENTS) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
const nftItem = fc.oneof(
  obj({ family: nftFamily, name: nftTable, handle: smallInt }).map((table) => ({ table })),
  obj({ family: nftFamily, table: nftTable, name: nftChain, type: fc.constantFrom('nat', 'filter', 'route', 'bogus'), hook: fc.constantFrom('prerouting', 'output', 'input', 'ingress', 'bogus'), prio: fc.oneof(smallInt, fc.constantFrom('dstnat', 'mangle - 5', 'srcnat + 1', 'bogus')), policy: fc.constantFrom('accept', 'drop', 'x') }).map((chain) => ({ chain })),
  obj({ family: nftFamily, table: nftTable, chain: nftChain, handle: smallInt, expr: list(nftExpr, 5) }).map((rule) => ({ rule })),
  obj({ family: nftFamily, table: nftTable, name: fc.constantFrom('ztunnel-pods', 'x'), type: fc.constant('ipv4_addr'), elem: fc.oneof(list(fc.oneof(ip, fc.constant({ prefix: { addr: '10.0.0.0', len: 8 } }))), ip) }).map((set) => ({ set })),
  fc.jsonValue({ maxDepth: 2 }),
);
export const nftJson = jsonText(obj({ nftables: fc.array(nftItem, { maxLength: 14 }).map((items) => [{ metainfo: { version: '1.0.6', json_schema_version: 1 } }, ...items]) }));

/* ---------- Envoy config dump ---------- */

const T = 'type.googleapis.com/';
const socketAddress = obj({ socket_address: obj({ address: ip, port_value: port, protocol: fc.constant('TCP') }) });
const envoyAddress = fc.oneof(socketAddress, obj({ envoy_internal_address: obj({ server_listener_name: fc.constantFrom('connect_originate', 'main_internal') }) }));
const tcpProxy = obj({ name: fc.constant('envoy.filters.network.tcp_proxy'), typed_config: obj({ '@type': fc.constant(`${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`), cluster: fc.constantFrom('outbound|80||httpbin.default.svc.cluster.local', 'PassthroughCluster', 'InboundPassthroughCluster'), stat_prefix: fc.constant('x') }) });
const hcm = obj({ name: fc.constant('envoy.filters.network.http_connection_manager'), typed_config: obj({ '@type': fc.constant(`${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`), rds: obj({ route_config_name: fc.constantFrom('80', 'inbound|80||') }), route_config: obj({ name: fc.constant('local'), virtual_hosts: list(obj({ name: name, domains: list(fc.constantFrom('*', 'httpbin', 'x:80')), routes: list(obj({ match: obj({ prefix: fc.constantFrom('/', '/a') }), route: obj({ cluster: fc.constant('c'), weighted_clusters: obj({ clusters: list(obj({ name: fc.constant('c'), weight: smallInt })) }) }) })) })) }) }) });
const filterChain = obj({ name: name, filter_chain_match: obj({ destination_port: port, prefix_ranges: list(obj({ address_prefix: ip, prefix_len: smallInt })), transport_protocol: fc.constantFrom('tls', 'raw_buffer'), application_protocols: list(fc.constantFrom('istio', 'h2')), server_names: list(fc.string()) }), filters: list(fc.oneof(tcpProxy, hcm), 2) });
const listener = obj({ name: fc.constantFrom('virtualOutbound', 'virtualInbound', '0.0.0.0_80', 'connect_originate'), address: envoyAddress, filter_chains: list(filterChain, 3), use_original_dst: fc.boolean(), bind_to_port: fc.boolean(), listener_filters: list(obj({ name: fc.constantFrom('envoy.filters.listener.original_dst', 'x'), typed_config: obj({ '@type': fc.constant(`${T}envoy.extensions.filters.listener.original_dst.v3.OriginalDst`) }) })), traffic_direction: fc.constantFrom('INBOUND', 'OUTBOUND', 'x') });
const cluster = obj({ name: fc.constantFrom('outbound|80||httpbin.default.svc.cluster.local', 'PassthroughCluster', 'inbound-vip|80|http|x'), type: fc.constantFrom('EDS', 'ORIGINAL_DST', 'STATIC', 'STRICT_DNS', 'bogus'), load_assignment: obj({ cluster_name: fc.constant('c'), endpoints: list(obj({ lb_endpoints: list(obj({ endpoint: obj({ address: envoyAddress }), metadata: obj({ filter_metadata: obj({ tunnel: obj({ destination: fc.constant('10.0.0.1:80') }) }) }) })) })) }) });
const envoySection = fc.oneof(
  obj({ '@type': fc.constant(`${T}envoy.admin.v3.ListenersConfigDump`), dynamic_listeners: list(obj({ name: fc.string(), active_state: obj({ listener: listener.map((l) => ({ '@type': `${T}envoy.config.listener.v3.Listener`, ...l })) }) })), static_listeners: list(obj({ listener })) }),
  obj({ '@type': fc.constant(`${T}envoy.admin.v3.ClustersConfigDump`), dynamic_active_clusters: list(obj({ cluster })), static_clusters: list(obj({ cluster })) }),
  obj({ '@type': fc.constant(`${T}envoy.admin.v3.RoutesConfigDump`), dynamic_route_configs: list(obj({ route_config: obj({ name: fc.constant('80'), virtual_hosts: list(obj({ name, domains: list(fc.constant('*')), routes: list(obj({ match: obj({ prefix: fc.constant('/') }), route: obj({ cluster: fc.constant('c') }) })) })) }) })) }),
  obj({ '@type': fc.constant(`${T}envoy.admin.v3.EndpointsConfigDump`), dynamic_endpoint_configs: list(obj({ endpoint_config: obj({ cluster_name: fc.constant('c'), endpoints: list(obj({ lb_endpoints: list(obj({ endpoint: obj({ address: socketAddress }) })) })) }) })) }),
  obj({ '@type': fc.constant(`${T}envoy.admin.v3.BootstrapConfigDump`), bootstrap: obj({ node: obj({ id: fc.constant('sidecar~10.0.0.1~x.default~default.svc.cluster.local'), metadata: obj({ ISTIO_VERSION: fc.constant('1.24.0') }) }) }) }),
);
export const envoyDump = jsonText(obj({ configs: list(envoySection, 5) }));

/* ---------- ztunnel config dump ---------- */

const netAddr = fc.oneof(ip.map((a) => `/${a}`), ip);
const zWorkload = obj({ uid: fc.string(), name, namespace: name, workloadIps: list(ip, 2), protocol: fc.constantFrom('HBONE', 'TCP', 'x'), hostname: fc.string(), node: name, serviceAccount: name, waypoint: obj({ destination: netAddr, hboneMtlsPort: port }), services: list(fc.constant('default/httpbin.default.svc.cluster.local')), nativeTunnel: fc.boolean(), status: fc.constantFrom('Healthy', 'Unhealthy'), applicationTunnel: obj({ protocol: fc.constant('PROXY'), port }) });
const zService = obj({ name, namespace: name, hostname: fc.constant('httpbin.default.svc.cluster.local'), vips: list(netAddr, 2), ports: fc.dictionary(fc.oneof(fc.constantFrom('80', '8000'), fc.string({ maxLength: 4 })), port, { maxKeys: 3 }), endpoints: fc.dictionary(fc.string({ maxLength: 8 }), obj({ workloadUid: fc.string(), service: fc.string(), address: netAddr, port: fc.dictionary(fc.constantFrom('80'), port, { maxKeys: 1 }) }), { maxKeys: 3 }), waypoint: obj({ destination: netAddr, hboneMtlsPort: port }) });
const legacyWorkload = obj({ workloadIp: ip, name, namespace: name, protocol: fc.constantFrom('HBONE', 'TCP'), waypointAddresses: list(ip, 2), gatewayAddress: fc.oneof(fc.constant(null), fc.constant('10.0.0.1:15008'), fc.string()), node: name, nativeHbone: fc.boolean() });
export const ztunnelDump = jsonText(
  fc.oneof(
    obj({ workloads: list(zWorkload, 4), services: list(zService, 3), policies: fc.constant([]) }),
    obj({ workloads: fc.dictionary(fc.string({ maxLength: 6 }), zWorkload, { maxKeys: 3 }), services: fc.dictionary(fc.string({ maxLength: 6 }), zService, { maxKeys: 3 }) }),
    obj({ by_addr: fc.dictionary(netAddr, zWorkload, { maxKeys: 3 }), by_uid: fc.dictionary(fc.string({ maxLength: 6 }), zWorkload, { maxKeys: 2 }), by_vip: fc.dictionary(netAddr, zService, { maxKeys: 3 }), by_host: fc.dictionary(fc.string({ maxLength: 6 }), list(zService, 2), { maxKeys: 2 }) }),
    obj({ workloads: fc.dictionary(ip, legacyWorkload, { maxKeys: 3 }), vips: fc.dictionary(fc.tuple(ip, port).map(([a, p]) => `${a}:${p}`), list(fc.tuple(ip, port), 3), { maxKeys: 3 }), proxy_mode: fc.constantFrom('Shared', 'Dedicated'), config: obj({ local_node: name, local_ip: ip }) }),
    fc.jsonValue({ maxDepth: 3 }),
  ),
);

/* ---------- Kubernetes lists ---------- */

const labels = fc.dictionary(fc.oneof(fc.constantFrom('app', 'istio.io/dataplane-mode', 'pod-template-hash', '__proto__', 'kubernetes.io/service-name'), fc.string({ maxLength: 6 })), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('ambient', 'sleep', 'httpbin')), { maxKeys: 3 });
const metadata = obj({ name, namespace: name, uid: fc.uuid(), labels, annotations: labels, ownerReferences: list(obj({ kind: fc.constantFrom('ReplicaSet', 'DaemonSet'), name: fc.constantFrom('sleep-6c4d9f7b8', 'ztunnel') }), 2) });
const k8sPort = obj({ name: fc.constantFrom('http', 'tcp'), containerPort: port, port, targetPort: fc.oneof(port, fc.constant('http')), protocol: fc.constantFrom('TCP', 'UDP'), appProtocol: fc.constant('http') });
const container = obj({ name, image: fc.constant('x'), ports: list(k8sPort, 2) });
const podItem = obj({ kind: fc.constantFrom('Pod', 'Service'), metadata, spec: obj({ nodeName: name, hostNetwork: fc.boolean(), containers: list(container, 2), initContainers: list(container, 1) }), status: obj({ phase: fc.constant('Running'), podIP: ip, podIPs: list(obj({ ip }), 2) }) });
const serviceItem = obj({ metadata, spec: obj({ type: fc.constantFrom('ClusterIP', 'NodePort'), clusterIP: fc.oneof(ip, fc.constant('None')), clusterIPs: list(ip, 2), selector: labels, ports: list(k8sPort, 3) }) });
const sliceItem = obj({ metadata, ports: list(k8sPort, 2), endpoints: list(obj({ addresses: list(ip, 2), conditions: obj({ ready: fc.boolean() }), targetRef: obj({ kind: fc.constant('Pod'), name }), nodeName: name }), 3) });
const nodeItem = obj({ metadata, spec: obj({ podCIDR: cidr, podCIDRs: list(cidr, 2) }), status: obj({ addresses: list(obj({ type: fc.constantFrom('InternalIP', 'Hostname'), address: ip }), 2) }) });
const k8sList = (kind: string, item: fc.Arbitrary<unknown>) => jsonText(obj({ apiVersion: fc.constant('v1'), kind: fc.constantFrom('List', `${kind}List`, 'PodList'), items: list(item, 4) }));
export const k8sPods = k8sList('Pod', podItem);
export const k8sServices = k8sList('Service', serviceItem);
export const k8sEndpointSlices = k8sList('EndpointSlice', sliceItem);
export const k8sNodes = k8sList('Node', nodeItem);
export const k8sNamespaces = k8sList('Namespace', obj({ metadata }));

/* ---------- meta.json ---------- */

export const meta = jsonText(
  obj({
    format: fc.constantFrom('istio-path-snapshot/v1', 'istio-path-snapshot/v2', ''), capturedAt: fc.constant('2026-11-27T10:00:00Z'), origin: fc.constantFrom('live', 'example', 'mars'),
    cluster: obj({ context: name, server: fc.string() }), istio: obj({ version: fc.constantFrom('1.18.2', '1.24.0'), revision: name }), capture: obj({ nodeAccess: name, pair: list(name, 2), filtered: fc.boolean() }),
    failures: list(obj({ call: fc.string(), object: fc.string(), error: fc.string() }), 2), notes: fc.string(),
  }),
);
