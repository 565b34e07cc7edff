/** What a filter chain match can see of a connection, as Envoy's listener filters have set it. */
export interface ConnFacts {
  /** The connection's local address (restored by original_dst/set_dst_address); undefined on an internal connection that restored none. */
  dst?: { ip: string; port: number };
  srcIp: string;
  srcPort?: number;
  /** `raw_buffer` unless tls_inspector found TLS. */
  transportProtocol: string;
  applicationProtocols: string[];
  serverName?: string;
}
