import type { Component, Evidence, Socket } from '../../model/index.ts';

/** Who opens or accepts a connection: the facts the kernel uses (owner, socket mark) and how to name it. */
export interface Process {
  component: Component;
  /** Process name from `ss` (`envoy`, `ztunnel`, the app's binary), or the container name when inferred. */
  name: string;
  uid?: number;
  gid?: number;
  /** SO_MARK on its sockets. */
  mark: number;
  /** IP_TRANSPARENT: it may connect from an address that is not its own. */
  transparent?: boolean;
  /** Where the uid/mark came from when the snapshot cannot show them (a socket's mark is not in `ss`). */
  assumed?: string;
}

/** A listening socket that accepted a connection, or the one assumed when `sockets.txt` is absent. */
export interface Acceptor {
  socket: Socket;
  process: Process;
  inferred: boolean;
  evidence: Evidence[];
}

/** Istio's proxies are told apart by process name; anything else listening is the application. */
export function componentOfProcess(name: string | undefined, envoyRole: string | undefined): Component {
  if (name === 'ztunnel') return 'ztunnel';
  if (name === 'envoy' || name === 'pilot-agent') return envoyRole === 'waypoint' || envoyRole === 'router' ? 'waypoint' : 'sidecar';
  return 'app';
}
