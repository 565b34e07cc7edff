import type { Diagram, Edge, Vertex } from './diagram/model.ts';
import { buildDiagram } from './diagram/graph.ts';
import { contents } from './diagram/tree.ts';
import { caption, COMPONENT_FILL, DEVICE_FILL, DROP_COLOR, edgeColor, TUNNEL_FILL, UNKNOWN_COLOR } from './diagram/style.ts';
import { inert } from './inert.ts';
import type { Trace } from '../model/index.ts';

/** `-o mermaid`: a flowchart with one subgraph per node and pod; GitHub renders it inside a ```mermaid block. */
export function renderMermaid(trace: Trace): string {
  const d = buildDiagram(trace);
  const out = ['flowchart LR', `  %% ${comment(`${d.title} — ${d.verdict}`)}`];
  const walk = (group: string | undefined, indent: string): void => {
    const here = contents(d, group);
    for (const v of here.vertices) out.push(`${indent}${vertex(v)}`);
    for (const g of here.groups) {
      out.push(`${indent}subgraph ${g.id}["${text(g.label)}"]`);
      walk(g.id, `${indent}  `);
      out.push(`${indent}end`);
    }
  };
  walk(undefined, '  ');
  const byId = new Map(d.vertices.map((v) => [v.id, v]));
  d.edges.forEach((e) => out.push(`  ${edge(e)}`));
  // Plain TCP arrows keep Mermaid's default look; only mTLS, HBONE and drops are styled.
  d.edges.forEach((e, i) => {
    if (e.protocol !== 'tcp' || e.end) out.push(`  linkStyle ${i} ${linkStyle(e, byId.get(e.to))}`);
  });
  out.push(...classDefs(d));
  return out.join('\n') + '\n';
}

function vertex(v: Vertex): string {
  const label = `"${text(caption(v))}"`;
  if (v.kind === 'process') return `${v.id}([${label}]):::${v.component}`;
  if (v.kind === 'device') return `${v.id}[[${label}]]:::${v.type === 'geneve' || v.type === 'vxlan' ? 'tunnel' : 'device'}`;
  return `${v.id}{{${label}}}:::${v.verdict === 'unknown' ? 'unknown' : 'drop'}`;
}

function edge(e: Edge): string {
  const arrow = e.kind === 'tunnel' ? '-.->' : e.kind === 'wire' || e.protocol !== 'tcp' ? '==>' : '-->';
  return e.label ? `${e.from} ${arrow}|"${text(e.label)}"| ${e.to}` : `${e.from} ${arrow} ${e.to}`;
}

function linkStyle(e: Edge, to: Vertex | undefined): string {
  const c = edgeColor(e, to);
  return `stroke:${c},color:${c},stroke-width:2.5px`;
}

/** Only the classes the diagram uses, so the output stays short. */
function classDefs(d: Diagram): string[] {
  const defs: Record<string, string> = {
    ...Object.fromEntries(Object.entries(COMPONENT_FILL).map(([k, fill]) => [k, `fill:${fill},stroke:#4b5563`])),
    device: `fill:${DEVICE_FILL},stroke:#9ca3af`,
    tunnel: `fill:${TUNNEL_FILL},stroke:#b45309`,
    drop: `fill:#fee2e2,stroke:${DROP_COLOR},color:${DROP_COLOR}`,
    unknown: `fill:#fef3c7,stroke:${UNKNOWN_COLOR},color:${UNKNOWN_COLOR}`,
  };
  const used = new Set(d.vertices.map((v) => /:::(\w+)$/.exec(vertex(v))![1]));
  return Object.entries(defs).filter(([k]) => used.has(k)).map(([k, style]) => `  classDef ${k} ${style}`);
}

/**
 * Mermaid decodes `#code;` entities inside quoted labels; everything that could end the quote,
 * start markup or an entity is written as one, so strings from the snapshot show as typed.
 */
function text(s: string): string {
  return inert(s).replace(/[#"<>&`]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** A `%%` comment ends at the line's end; inert keeps it on one line. */
function comment(s: string): string {
  return inert(s);
}
