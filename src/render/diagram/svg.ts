import type { Viz } from '@viz-js/viz';

let viz: Promise<Viz> | undefined;

/**
 * Lays out DOT as SVG with Graphviz compiled to WebAssembly, in-process: no system Graphviz and no
 * network. The module (about 1 MB) is imported only when an HTML page is asked for.
 */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  const svg = (await viz).renderString(dot, { format: 'svg' });
  // The XML prolog and DOCTYPE are for a standalone file; the SVG is inlined into HTML.
  return svg.slice(svg.indexOf('<svg'));
}
