import { createHash } from 'node:crypto';
import type { Evidence, Finding, Hop, Leg, PacketView, Trace } from '../model/index.ts';
import { buildDiagram } from './diagram/graph.ts';
import { diagramDot } from './dot.ts';
import { renderSvg } from './diagram/svg.ts';
import { LEGEND } from './diagram/style.ts';
import { inert } from './inert.ts';
import { legKind } from './leg.ts';

/**
 * `-o html`: one self-contained page — the diagram as inline SVG, the header, the hop table with
 * evidence, the verdict and findings. It loads nothing at view time and runs no script: the CSP
 * allows only its own stylesheet (by hash), and every string from the snapshot is escaped.
 */
export async function renderHtml(trace: Trace): Promise<string> {
  const d = buildDiagram(trace);
  const svg = await renderSvg(diagramDot(d));
  const styleHash = createHash('sha256').update(CSS).digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>istio-path: ${e(d.title)}</title>
<style>${CSS}</style>
</head>
<body>
${header(trace)}
<section class="diagram" aria-label="path diagram">
${svg}
<ul class="legend">${LEGEND.map((l, i) => `<li><span class="swatch l${i}"></span>${e(l.label)}</li>`).join('')}</ul>
</section>
${verdict(trace)}
${hopTable(trace)}
${alternatives(trace)}
${findings(trace)}
</body>
</html>
`;
}

function header(t: Trace): string {
  const src = t.source;
  const dst = t.destination;
  const dstName = dst.service ? `service ${dst.namespace}/${dst.service} ${dst.serviceIP}:${dst.port}` : `${dst.pod ? `${dst.namespace}/${dst.pod}` : dst.ip}:${dst.port}`;
  const row = (k: string, v: string) => `<tr><th>${k}</th><td>${v}</td></tr>`;
  const endpoint = (p: Trace['source']) => p.pod ? `${e(p.pod)} <span class="dim">${e(p.ip ?? '')} ${e(p.node ?? '')} ${e(p.mode ?? '')} (${e(p.generation ?? 'unknown')})</span>` : `${e(p.ip ?? p.query)} <span class="dim">(no pod of the snapshot)</span>`;
  const snap = [e(t.snapshot.path), t.snapshot.capturedAt ? `captured ${e(t.snapshot.capturedAt)}` : '', t.snapshot.istio ? `istio ${e(t.snapshot.istio)}` : ''].filter(Boolean).join(' · ');
  return `<header>
<h1>${e(`${src.namespace}/${src.pod ?? src.query}`)} → ${e(dstName)}</h1>
<table class="meta">${row('source', endpoint(src))}${row('destination', endpoint(dst))}${row('snapshot', snap)}</table>
</header>`;
}

function verdict(t: Trace): string {
  return `<p class="verdict ${e(t.verdict)}"><strong>VERDICT</strong> <span class="v">${e(t.verdict)}</span> — ${e(t.reason)}</p>`;
}

function hopTable(t: Trace): string {
  const legOf = new Map<number, Leg>();
  for (const leg of t.legs) for (const n of leg.hops) legOf.set(n, leg);
  const rows: string[] = [];
  let current: Leg | undefined;
  for (const hop of t.hops) {
    const leg = legOf.get(hop.n);
    if (leg && leg !== current) {
      current = leg;
      rows.push(`<tr class="leg ${e(leg.protocol)}"><td colspan="4">LEG ${leg.n} · ${e(leg.from)} → ${e(leg.to)} · ${e(legKind(leg))} · ${e(leg.src)} → ${e(leg.dst)}</td></tr>`);
    }
    rows.push(hopRow(hop));
  }
  return `<section><h2>Hops</h2>
<table class="hops"><thead><tr><th>#</th><th>component</th><th>where</th><th>what happened and why</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></section>`;
}

function hopRow(h: Hop): string {
  const status = h.status === 'observed' ? '<span class="ok" title="observed">✓</span>' : '<span class="inferred" title="inferred">~</span>';
  const detail = [`<div class="action">${e(h.action)}</div>`, `<div class="packet">${packet(h.packet.before, h.packet.after)}</div>`];
  if (h.note) detail.push(`<div class="note">note: ${e(h.note)}</div>`);
  if (h.evidence.length) detail.push(`<ul class="evidence">${h.evidence.map((x) => `<li>${evidence(x)}</li>`).join('')}</ul>`);
  return `<tr id="hop-${h.n}" class="${e(h.status)}"><td class="n">${status} ${h.n}</td><td>${e(h.component)}</td><td><div class="netns">${e(h.netns)}</div><div>${e(h.where)}</div></td><td>${detail.join('')}</td></tr>`;
}

function packet(b: PacketView, a: PacketView): string {
  const parts = [b.src !== a.src || b.dst !== a.dst ? `${b.src} → ${b.dst} ⇒ ${a.src} → ${a.dst}` : `${b.src} → ${b.dst}`];
  parts.push(b.mark !== a.mark ? `mark ${b.mark} → ${a.mark}` : `mark ${b.mark}`);
  if (a.outer) parts.push(`outer ${a.outer.type} ${a.outer.src} → ${a.outer.dst} vni ${a.outer.vni}`);
  if (a.hbone) parts.push(`HBONE ${a.hbone.authority} via :${a.hbone.port}`);
  return e(parts.join('  ·  '));
}

function evidence(x: Evidence): string {
  const at = x.line !== undefined ? `:${x.line}` : x.pointer !== undefined ? `#${x.pointer}` : '';
  if (x.missing) return `<code>${e(x.file)}</code> <span class="missing">(missing)</span>`;
  return `<code>${e(`${x.file}${at}`)}</code>${x.text ? ` <code class="text">${e(x.text)}</code>` : ''}`;
}

function alternatives(t: Trace): string {
  if (!t.alternatives.length) return '';
  return `<section><h2>Alternatives</h2><ul>${t.alternatives.map((a) => `<li>${e(a.reason)} (${a.hops.length} hops)</li>`).join('')}</ul></section>`;
}

function findings(t: Trace): string {
  if (!t.findings.length) return '';
  return `<section><h2>Findings</h2><ul class="findings">${t.findings.map(finding).join('')}</ul></section>`;
}

function finding(f: Finding): string {
  const hops = f.hops.length ? ` (${f.hops.length === 1 ? 'hop' : 'hops'} ${f.hops.map((n) => `<a href="#hop-${n}">${n}</a>`).join(', ')})` : '';
  const ev = f.evidence.length ? `<ul class="evidence">${f.evidence.map((x) => `<li>${evidence(x)}</li>`).join('')}</ul>` : '';
  return `<li class="${e(f.severity)}"><strong>${e(f.code)}</strong>: ${e(f.message)}${hops}${ev}${f.fix ? `<div>fix: ${e(f.fix)}</div>` : ''}</li>`;
}

/** HTML-escapes text for element content and quoted attributes; control characters show escaped, as in the text output. */
export function e(s: string): string {
  return inert(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#111827;margin:24px;max-width:1400px}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:24px 0 8px}
.dim{color:#6b7280}
table.meta th{text-align:left;padding-right:12px;font-weight:600;color:#374151}
.diagram{border:1px solid #e5e7eb;border-radius:8px;padding:12px;overflow-x:auto;margin-top:16px}
.diagram svg{max-width:100%;height:auto}
.legend{list-style:none;padding:0;margin:8px 0 0;display:flex;gap:18px;flex-wrap:wrap;color:#374151;font-size:12px}
.swatch{display:inline-block;width:22px;height:0;border-top:3px solid;margin-right:6px;vertical-align:middle}
${LEGEND.map((l, i) => `.swatch.l${i}{border-top-color:${l.color}${l.dashed ? ';border-top-style:dashed' : ''}}`).join('')}
.verdict{font-size:15px;padding:10px 12px;border-radius:6px;background:#f3f4f6}
.verdict.delivered .v{color:#15803d;font-weight:600}.verdict.dropped .v,.verdict.no-route .v{color:#dc2626;font-weight:600}.verdict.unknown .v{color:#b45309;font-weight:600}
table.hops{border-collapse:collapse;width:100%}
table.hops th,table.hops td{border-bottom:1px solid #e5e7eb;padding:6px 8px;vertical-align:top;text-align:left}
table.hops tr.leg td{background:#f1f5f9;font-weight:600;color:#334155}
table.hops tr.leg.hbone td{color:#6d28d9}table.hops tr.leg.mtls td{color:#0f766e}
tr.inferred{background:#fffbeb}
td.n{white-space:nowrap;font-variant-numeric:tabular-nums}
.ok{color:#15803d}.inferred{color:#b45309}
.netns{color:#6b7280;font-size:12px}
.action{font-weight:600}.packet{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#374151}
.note{color:#6b7280;font-style:italic}
ul.evidence{margin:4px 0 0;padding-left:18px;font-size:12px;color:#4b5563}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
code.text{color:#1f2937;background:#f9fafb}
.missing{color:#b45309}
.findings li.error strong{color:#dc2626}.findings li.warning strong{color:#b45309}
`;
