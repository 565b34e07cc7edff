import type { Pod, Service, ServicePort } from '../../model/k8s.ts';
import { ResolveError } from './error.ts';

/** `8000 (http)`, `53/UDP (dns)`: how a port is shown to the user. */
export function describePort(p: { port: number; name?: string; protocol: string }): string {
  return `${p.port}${p.protocol === 'TCP' ? '' : `/${p.protocol}`}${p.name ? ` (${p.name})` : ''}`;
}

/** The service port the user asked for (number or name), or its only port. */
export function servicePort(service: Service, requested: string | undefined, shortName: string): ServicePort {
  const id = `service ${service.namespace}/${service.name}`;
  const list = service.ports.map(describePort).join(', ');
  if (service.ports.length === 0) throw new ResolveError(`${id} declares no ports; name a pod or an IP with a port instead`);
  if (requested === undefined) {
    if (service.ports.length === 1) return service.ports[0];
    throw new ResolveError(`${id} has ports ${list}; pass --port or ${shortName}:PORT`);
  }
  const found = /^\d+$/.test(requested) ? service.ports.find((p) => p.port === Number(requested)) : service.ports.find((p) => p.name === requested);
  if (found) return found;
  throw new ResolveError(`${id} has no port ${requested}; its ports are ${list}`);
}

/**
 * The port on a pod: a number as given (a pod may listen on ports it does not declare), a declared
 * port's name, or the one port its application containers declare.
 */
export function podPort(pod: Pod, requested: string | undefined): number | undefined {
  const declared = pod.containers.filter((c) => c.name !== 'istio-proxy').flatMap((c) => c.ports);
  if (requested === undefined) return declared.length === 1 ? declared[0].containerPort : undefined;
  if (/^\d+$/.test(requested)) return checkedPort(requested);
  const named = pod.containers.flatMap((c) => c.ports).find((p) => p.name === requested);
  if (named) return named.containerPort;
  const names = declared.filter((p) => p.name).map(describeContainerPort);
  throw new ResolveError(`pod ${pod.namespace}/${pod.name} has no port named "${requested}"; ${names.length ? `its named ports are ${names.join(', ')}` : 'it declares no named ports'}`);
}

/** A numeric port given with an IP, where no name can be looked up. */
export function ipPort(ip: string, requested: string | undefined): number | undefined {
  if (requested === undefined) return undefined;
  if (/^\d+$/.test(requested)) return checkedPort(requested);
  throw new ResolveError(`${ip} is not a pod or service IP in the snapshot, so port "${requested}" must be a number`);
}

/** A Service targetPort on one backend pod: a number, or a container port name looked up on the pod. */
export function targetPortOn(port: ServicePort, pod: Pod | undefined): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  return pod?.containers.flatMap((c) => c.ports).find((p) => p.name === port.targetPort)?.containerPort;
}

function describeContainerPort(p: { containerPort: number; name?: string; protocol: string }): string {
  return describePort({ port: p.containerPort, name: p.name, protocol: p.protocol });
}

function checkedPort(text: string): number {
  const port = Number(text);
  if (port >= 1 && port <= 65535) return port;
  throw new ResolveError(`port ${text} is out of range (1-65535)`);
}
