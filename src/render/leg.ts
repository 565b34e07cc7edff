import type { Leg } from '../model/index.ts';

/** A leg's protocol, and for a lost handshake packet which packet of which leg it follows. */
export function legKind(leg: Leg): string {
  const proto = leg.protocol.toUpperCase();
  return leg.handshake ? `${proto} ${leg.handshake.packet} of leg ${leg.handshake.leg}` : proto;
}
