import type { Cluster, ClusterType } from '../../model/envoy.ts';
import { isObject, isString, ptr } from '../json.ts';
import { parseLoadAssignment } from './endpoints.ts';
import { arr, type Ctx, evidence, obj, optBool, optNum, optObj, optStr, str, typedConfig, unsupported } from './read.ts';

const TYPES: ClusterType[] = ['EDS', 'STATIC', 'ORIGINAL_DST', 'STRICT_DNS', 'LOGICAL_DNS'];

export function parseCluster(ctx: Ctx, v: unknown, pointer: string): Cluster {
  const c = obj(ctx, v, pointer, 'a cluster object');
  const name = str(ctx, c, 'name', pointer);
  const cluster: Cluster = { name, type: 'STATIC', transport: 'raw_buffer', evidence: evidence(ctx, pointer, '') };
  readType(ctx, c, pointer, cluster);
  const ts = optObj(ctx, c, 'transport_socket', pointer);
  if (ts) Object.assign(cluster, transportOf(ctx, ts, ptr(pointer, 'transport_socket')));
  const matches = arr(ctx, c, 'transport_socket_matches', pointer);
  if (matches.length) {
    cluster.transportSocketMatches = matches.map((m, i) => {
      const p = ptr(pointer, 'transport_socket_matches', i);
      const o = obj(ctx, m, p);
      const match = Object.fromEntries(Object.entries(optObj(ctx, o, 'match', p) ?? {}).filter((kv): kv is [string, string] => isString(kv[1])));
      const sock = optObj(ctx, o, 'transport_socket', p);
      return { name: optStr(ctx, o, 'name', p) ?? '', match, ...(sock ? transportOf(ctx, sock, ptr(p, 'transport_socket')) : { transport: 'raw_buffer' }) };
    });
  }
  if (c.load_assignment !== undefined) cluster.inlineEndpoints = parseLoadAssignment(ctx, c.load_assignment, ptr(pointer, 'load_assignment')).endpoints;
  const odl = optObj(ctx, c, 'original_dst_lb_config', pointer);
  if (odl) cluster.originalDstLb = originalDstLb(ctx, odl, ptr(pointer, 'original_dst_lb_config'));
  const bind = optObj(ctx, c, 'upstream_bind_config', pointer);
  const src = bind ? optObj(ctx, bind, 'source_address', ptr(pointer, 'upstream_bind_config')) : undefined;
  if (src) cluster.bindSource = str(ctx, src, 'address', ptr(pointer, 'upstream_bind_config', 'source_address'));
  cluster.evidence.text = clusterText(cluster);
  return cluster;
}

function readType(ctx: Ctx, c: Record<string, unknown>, pointer: string, cluster: Cluster): void {
  const ct = optObj(ctx, c, 'cluster_type', pointer);
  if (ct) {
    cluster.type = 'OTHER';
    cluster.typeName = str(ctx, ct, 'name', ptr(pointer, 'cluster_type'));
    unsupported(ctx, ptr(pointer, 'cluster_type'), `cluster ${cluster.name} has type extension ${cluster.typeName}; its hosts are not modelled`);
    return;
  }
  const type = optStr(ctx, c, 'type', pointer) ?? 'STATIC';
  if ((TYPES as string[]).includes(type)) cluster.type = type as ClusterType;
  else {
    cluster.type = 'OTHER';
    cluster.typeName = type;
    unsupported(ctx, ptr(pointer, 'type'), `cluster ${cluster.name} has type ${type}; its hosts are not modelled`);
  }
  const eds = optObj(ctx, c, 'eds_cluster_config', pointer);
  const svc = eds ? optStr(ctx, eds, 'service_name', ptr(pointer, 'eds_cluster_config')) : undefined;
  if (svc && svc !== cluster.name) cluster.edsServiceName = svc;
}

/** Normalises the transport socket: `tls`, `internal_upstream` (with its passthrough metadata), `raw_buffer`, or the name. */
function transportOf(ctx: Ctx, ts: Record<string, unknown>, pointer: string): Pick<Cluster, 'transport' | 'passthroughMetadata'> {
  const name = optStr(ctx, ts, 'name', pointer) ?? '';
  const { type, body, pointer: bp } = typedConfig(ctx, ts, pointer);
  if (type.endsWith('UpstreamTlsContext') || /(^|\.)tls$/.test(name)) return { transport: 'tls' };
  if (type.endsWith('RawBuffer') || /(^|\.)raw_buffer$/.test(name)) return { transport: 'raw_buffer' };
  if (type.endsWith('InternalUpstreamTransport') || /(^|\.)internal_upstream$/.test(name)) {
    const hostKeys = arr(ctx, body, 'passthrough_metadata', bp)
      .map((m, i) => obj(ctx, m, ptr(bp, 'passthrough_metadata', i)))
      .filter((m) => isObject(m.kind) && m.kind.host !== undefined)
      .map((m, i) => str(ctx, m, 'name', ptr(bp, 'passthrough_metadata', i)));
    return { transport: 'internal_upstream', passthroughMetadata: hostKeys };
  }
  return { transport: name || type || 'unknown' };
}

function originalDstLb(ctx: Ctx, o: Record<string, unknown>, pointer: string): NonNullable<Cluster['originalDstLb']> {
  const out: NonNullable<Cluster['originalDstLb']> = {};
  const port = optNum(ctx, o, 'upstream_port_override', pointer);
  if (port !== undefined) out.upstreamPortOverride = port;
  if (optBool(ctx, o, 'use_http_header', pointer)) out.useHttpHeader = true;
  const mk = optObj(ctx, o, 'metadata_key', pointer);
  if (mk) {
    const p = ptr(pointer, 'metadata_key');
    const path = arr(ctx, mk, 'path', p).map((seg, i) => str(ctx, obj(ctx, seg, ptr(p, 'path', i)), 'key', ptr(p, 'path', i)));
    out.metadataKey = { key: str(ctx, mk, 'key', p), path };
  }
  return out;
}

function clusterText(c: Cluster): string {
  const type = c.type === 'OTHER' ? `OTHER(${c.typeName})` : c.type;
  const tls = c.transportSocketMatches ? ` transport_socket_matches ${c.transportSocketMatches.map((m) => `${m.name}:${m.transport}`).join(',')}` : '';
  const port = c.originalDstLb?.upstreamPortOverride !== undefined ? ` port_override ${c.originalDstLb.upstreamPortOverride}` : '';
  return `cluster ${c.name} ${type} ${c.transport}${tls}${port}`;
}
