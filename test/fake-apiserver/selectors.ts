/** Kubernetes label and field selectors as the API server evaluates them, for the fake API server. */

type Labels = Record<string, string>;

/** Splits on commas outside parentheses: `a in (x,y),b=c` → [`a in (x,y)`, `b=c`]. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export function matchLabels(selector: string | null, labels: Labels): boolean {
  if (!selector) return true;
  return terms(selector).every((t) => {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      const values = m[3].split(',').map((v) => v.trim());
      const has = m[1] in labels && values.includes(labels[m[1]]);
      return m[2] === 'in' ? has : !has;
    }
    if ((m = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(t))) return labels[m[1]] !== m[2];
    if ((m = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(t))) return labels[m[1]] === m[2];
    if ((m = /^!(\S+)$/.exec(t))) return !(m[1] in labels);
    return t in labels;
  });
}

/** The field paths the real API server lets each resource be selected by. */
const FIELDS: Record<string, Record<string, (o: any) => string | undefined>> = {
  pods: { 'metadata.name': (o) => o.metadata?.name, 'metadata.namespace': (o) => o.metadata?.namespace, 'spec.nodeName': (o) => o.spec?.nodeName ?? '', 'status.podIP': (o) => o.status?.podIP ?? '', 'status.phase': (o) => o.status?.phase },
  services: { 'metadata.name': (o) => o.metadata?.name, 'metadata.namespace': (o) => o.metadata?.namespace, 'spec.clusterIP': (o) => o.spec?.clusterIP ?? '' },
};
const DEFAULT_FIELDS = { 'metadata.name': (o: any) => o.metadata?.name, 'metadata.namespace': (o: any) => o.metadata?.namespace };

/** Undefined when the selector matches; otherwise an error message naming the unsupported field, as the API server does. */
export function fieldError(resource: string, selector: string | null): string | undefined {
  if (!selector) return undefined;
  const fields = FIELDS[resource] ?? DEFAULT_FIELDS;
  for (const t of terms(selector)) {
    const key = /^([^!=]+)/.exec(t)?.[1];
    if (!key || !(key in fields)) return `field label not supported: ${key}`;
  }
  return undefined;
}

export function matchFields(resource: string, selector: string | null, o: unknown): boolean {
  if (!selector) return true;
  const fields = FIELDS[resource] ?? DEFAULT_FIELDS;
  return terms(selector).every((t) => {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(t)!;
    const value = fields[m[1]](o) ?? '';
    return m[2] === '!=' ? value !== m[3] : value === m[3];
  });
}
