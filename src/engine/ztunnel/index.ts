export { ztunnelOutbound } from './outbound.ts';
export { ztunnelInbound, type ZInboundConn } from './inbound.ts';
export { HBONE_PORT, logicFor, type Dst, type Pick, type ZNext, type ZOutboundResult, type ZStep, type ZtunnelLogic, type ZtunnelOptions } from './types.ts';
