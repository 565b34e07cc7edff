import type { Diagram, Edge, Group, Vertex } from './diagram/model.ts';
import { buildDiagram } from './diagram/graph.ts';
import { contents } from './diagram/tree.ts';
import { caption, COMPONENT_FILL, DEVICE_FILL, DROP_COLOR, edgeColor, TUNNEL_FILL, UNKNOWN_COLOR } from './diagram/style.ts';
import { inert } from './inert.ts';
import type { Trace } from '../model/index.ts';

const FONT = 'Helvetica,Arial,sans-serif';

/** `-o dot`: Graphviz source, one cluster per node and pod (`dot -Tsvg`); `-o html` renders the same source. */
export function renderDot(trace: Trace): string {
  return diagramDot(buildDiagram(trace));
}

export function diagramDot(d: Diagram): string {
  const out = [
    'digraph trace {',
    `  graph [rankdir=TB, fontname=${q(FONT)}, fontsize=12, nodesep=0.3, ranksep=0.3]`,
    `  node [fontname=${q(FONT)}, fontsize=11, shape=box, style="rounded,filled", color="#4b5563", penwidth=1]`,
    `  edge [fontname=${q(FONT)}, fontsize=11, arrowsize=0.7]`,
  ];
  const walk = (group: string | undefined, indent: string): void => {
    const here = contents(d, group);
    for (const v of here.vertices) out.push(`${indent}${vertex(v)}`);
    for (const g of here.groups) {
      out.push(`${indent}subgraph cluster_${g.id} {`, `${indent}  ${cluster(g)}`);
      walk(g.id, `${indent}  `);
      out.push(`${indent}}`);
    }
  };
  walk(undefined, '  ');
  const byId = new Map(d.vertices.map((v) => [v.id, v]));
  for (const e of d.edges) out.push(`  ${edge(e, byId.get(e.to))}`);
  out.push(...sideBySide(d));
  out.push('}');
  return out.join('\n') + '\n';
}

/**
 * Kubernetes nodes side by side, left to right in the order the path reaches them: an invisible
 * edge from the first box met in each node to the first box met in the next keeps them in order
 * (arrows between nodes do not constrain the layout, so nothing else would).
 */
function sideBySide(d: Diagram): string[] {
  const nodeOf = new Map(d.groups.map((g) => [g.id, g.kind === 'node' ? g.id : g.parent]));
  const firsts: string[] = [];
  const seen = new Set<string>();
  for (const v of d.vertices) {
    const node = v.group && nodeOf.get(v.group);
    if (node && !seen.has(node)) {
      seen.add(node);
      firsts.push(v.id);
    }
  }
  if (firsts.length < 2) return [];
  return [`  ${firsts.join(' -> ')} [style=invis]`];
}

function cluster(g: Group): string {
  const look = g.kind === 'node' ? 'style="rounded,filled", fillcolor="#f8fafc", color="#64748b", penwidth=1.5' : 'style="rounded,filled", fillcolor="#ffffff", color="#94a3b8"';
  return `graph [label=${q(g.label)}, ${look}, fontsize=${g.kind === 'node' ? 13 : 11}]`;
}

function vertex(v: Vertex): string {
  const label = q(caption(v));
  if (v.kind === 'process') return `${v.id} [label=${label}, fillcolor="${COMPONENT_FILL[v.component]}"]`;
  if (v.kind === 'device') {
    const tunnel = v.type === 'geneve' || v.type === 'vxlan';
    return `${v.id} [label=${label}, shape=box, style=filled, fontsize=10, height=0.3, fillcolor="${tunnel ? TUNNEL_FILL : DEVICE_FILL}", color="${tunnel ? '#b45309' : '#9ca3af'}"]`;
  }
  const c = v.verdict === 'unknown' ? UNKNOWN_COLOR : DROP_COLOR;
  return `${v.id} [label=${label}, shape=octagon, style=filled, fillcolor="${v.verdict === 'unknown' ? '#fef3c7' : '#fee2e2'}", color="${c}", fontcolor="${c}"]`;
}

function edge(e: Edge, to: Vertex | undefined): string {
  const c = edgeColor(e, to);
  const attrs = [`color="${c}"`, `fontcolor="${c}"`];
  if (e.label) attrs.unshift(`label=${q(e.label)}`);
  if (e.kind === 'tunnel') attrs.push('style=dashed');
  if (e.protocol !== 'tcp' || e.end) attrs.push('penwidth=2.2');
  else if (e.kind === 'wire') attrs.push('penwidth=1.6');
  // Nodes sit side by side, as in the reference post's figures: the arrow between two nodes does not rank one below the other.
  if (e.kind === 'wire') attrs.push('constraint=false');
  return `${e.from} -> ${e.to} [${attrs.join(', ')}]`;
}

/**
 * A DOT quoted string. Backslash starts Graphviz escapes (`\N`, `\l`) and `&` starts an entity
 * Graphviz decodes, so both are escaped with the quote; strings from the snapshot show as typed.
 */
export function q(s: string): string {
  return `"${inert(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/&/g, '&amp;')}"`;
}
