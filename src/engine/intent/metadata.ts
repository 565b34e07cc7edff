import type { Evidence } from '../../model/index.ts';

/** RFC 6901 escaping of one reference token: label keys hold `/` (`istio.io/use-waypoint`). */
const token = (t: string): string => t.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Evidence for one label or annotation of a Kubernetes object, pointing inside the object the parser
 * kept a pointer to (`/items/3` → `/items/3/metadata/labels/istio.io~1use-waypoint`).
 */
export function metadataEvidence(object: Evidence, field: 'labels' | 'annotations', key: string, value: string): Evidence {
  const pointer = object.pointer === undefined ? undefined : `${object.pointer}/metadata/${field}/${token(key)}`;
  return { file: object.file, ...(pointer !== undefined ? { pointer } : {}), text: `${object.text ?? ''} ${field === 'labels' ? 'label' : 'annotation'} ${key}=${value}`.trim() };
}

/** Evidence for a container of a pod, by its index in `spec.containers`. */
export function containerEvidence(pod: Evidence, index: number, name: string): Evidence {
  const pointer = pod.pointer === undefined ? undefined : `${pod.pointer}/spec/containers/${index}`;
  return { file: pod.file, ...(pointer !== undefined ? { pointer } : {}), text: `${pod.text ?? ''} container ${name}`.trim() };
}
