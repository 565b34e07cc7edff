import type { Diagram, Group, Vertex } from './model.ts';

/** What sits directly in a box (or at the top level for `undefined`), in the order the path met it. */
export function contents(d: Diagram, group: string | undefined): { groups: Group[]; vertices: Vertex[] } {
  return { groups: d.groups.filter((g) => g.parent === group), vertices: d.vertices.filter((v) => v.group === group) };
}
