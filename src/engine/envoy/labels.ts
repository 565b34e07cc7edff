/** Istio's names for what Envoy found, used only to label steps; decisions never depend on them. */
const LISTENERS: Record<string, string> = {
  virtualOutbound: "Istio's outbound capture listener",
  virtualInbound: "Istio's inbound capture listener",
  connect_terminate: 'HBONE termination',
  main_internal: 'internal listener behind HBONE termination',
  connect_originate: 'HBONE origination',
};

export function listenerLabel(name: string): string {
  const label = LISTENERS[name];
  return label ? ` (${label})` : '';
}

export function clusterLabel(name: string): string {
  if (name === 'PassthroughCluster') return 'PassthroughCluster: original destination';
  if (name.startsWith('InboundPassthroughCluster')) return `${name}: original destination in this pod`;
  if (name === 'BlackHoleCluster') return 'BlackHoleCluster: drops the connection';
  if (name.startsWith('inbound-vip|')) return `${name}: waypoint service VIP`;
  if (name.startsWith('inbound|')) return `${name}: the app in this pod`;
  return name;
}
