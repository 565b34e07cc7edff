export * from './evidence.ts';
export * from './packet.ts';
export * from './netfilter.ts';
export * from './routing.ts';
export * from './envoy.ts';
export * from './ztunnel.ts';
export type * as K8s from './k8s.ts';
export * from './trace.ts';
export * from './snapshot.ts';
