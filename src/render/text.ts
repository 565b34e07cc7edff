import { Chalk, type ChalkInstance } from 'chalk';
import type { Evidence, Finding, Hop, Leg, PacketView, Trace } from '../model/index.ts';
import { INTENT_FINDING_CODES } from '../model/index.ts';
import { inert } from './inert.ts';
import { legKind } from './leg.ts';

export interface TextOptions {
  color: boolean;
  /** `-o wide`: every hop's packet before and after, and every note. */
  wide: boolean;
}

/** The trace for a person at a terminal, in the style of the reference post: numbered hops, each with its evidence. */
export function renderText(trace: Trace, o: TextOptions): string {
  const c = new Chalk({ level: o.color ? 1 : 0 });
  const out: string[] = [];
  out.push(...header(trace, c), '');
  const legOf = new Map<number, Leg>();
  for (const leg of trace.legs) for (const n of leg.hops) legOf.set(n, leg);
  let currentLeg: Leg | undefined;
  for (const hop of trace.hops) {
    const leg = legOf.get(hop.n);
    if (leg && leg !== currentLeg) {
      currentLeg = leg;
      out.push(c.bold(`LEG ${leg.n}  ${s(leg.from)} → ${s(leg.to)}  ${legKind(leg)}  ${s(`${leg.src} → ${leg.dst}`)}`));
    }
    out.push(...renderHop(hop, o, c));
  }
  out.push('', verdictLine(trace, c));
  const why = trace.findings.filter((f) => INTENT_FINDING_CODES.includes(f.code));
  const warnings = trace.findings.filter((f) => !INTENT_FINDING_CODES.includes(f.code));
  if (why.length) {
    out.push('', c.bold('WHY'));
    for (const f of why) out.push(...renderFinding(f, c));
  }
  if (trace.alternatives.length) {
    out.push('', c.bold('ALTERNATIVES'));
    for (const alt of trace.alternatives) out.push(`  - ${s(alt.reason)} (${alt.hops.length} hops)`);
  }
  if (warnings.length) {
    out.push('', c.bold('WARNINGS'));
    for (const f of warnings) out.push(...renderFinding(f, c));
  }
  return out.join('\n') + '\n';
}

function header(t: Trace, c: ChalkInstance): string[] {
  const src = t.source;
  const dst = t.destination;
  const dstName = dst.service ? `service ${dst.namespace}/${dst.service} ${dst.serviceIP}:${dst.port}` : `${dst.pod ? `${dst.namespace}/${dst.pod}` : dst.ip}:${dst.port}`;
  const lines = [
    c.bold(`TRACE  ${s(`${src.namespace}/${src.pod}`)} → ${s(dstName)}`),
    `  source       ${s(`${src.pod ?? src.query}  ${src.ip ?? ''}  ${src.node ?? ''}  ${src.mode ?? ''} (${src.generation ?? 'unknown'})`)}`,
  ];
  if (dst.pod) lines.push(`  destination  ${s(`${dst.pod}  ${dst.ip ?? ''}  ${dst.node ?? ''}  ${dst.mode ?? ''} (${dst.generation ?? 'unknown'})`)}`);
  else lines.push(`  destination  ${s(dst.ip ?? dst.query)}  (no pod of the snapshot)`);
  lines.push(`  snapshot     ${s(t.snapshot.path)}${t.snapshot.capturedAt ? `  captured ${s(t.snapshot.capturedAt)}` : ''}${t.snapshot.istio ? `  istio ${s(t.snapshot.istio)}` : ''}`);
  return lines;
}

function renderHop(h: Hop, o: TextOptions, c: ChalkInstance): string[] {
  const mark = h.status === 'observed' ? c.green('✓') : c.yellow('~');
  const num = String(h.n).padStart(3);
  const lines = [`${mark}${num}  ${c.cyan(h.component.padEnd(8))} ${s(h.netns)}  ${s(h.where)}`];
  lines.push(`        ${c.bold(s(h.action))}${packetChange(h.packet.before, h.packet.after, o.wide)}`);
  if (h.note && (o.wide || h.status === 'inferred')) lines.push(`        ${c.dim(`note: ${s(h.note)}`)}`);
  for (const e of h.evidence) lines.push(`        ${c.dim(evidence(e))}`);
  return lines;
}

function packetChange(b: PacketView, a: PacketView, wide: boolean): string {
  const parts: string[] = [];
  const moved = b.src !== a.src || b.dst !== a.dst;
  if (moved) parts.push(`${b.src} → ${b.dst}  ⇒  ${a.src} → ${a.dst}`);
  else if (wide) parts.push(`${b.src} → ${b.dst}`);
  if (b.mark !== a.mark) parts.push(`mark ${b.mark} → ${a.mark}`);
  else if (wide) parts.push(`mark ${b.mark}`);
  if (a.outer) parts.push(`outer ${a.outer.type} ${a.outer.src} → ${a.outer.dst} vni ${a.outer.vni}`);
  if (a.hbone && wide) parts.push(`hbone ${a.hbone.authority}`);
  return parts.length ? `   ${s(parts.join('  '))}` : '';
}

function evidence(e: Evidence): string {
  const at = e.line !== undefined ? `:${e.line}` : e.pointer !== undefined ? `#${e.pointer}` : '';
  if (e.missing) return `${s(e.file)} (missing)`;
  return `${s(e.file)}${s(at)}${e.text ? `  ${s(e.text)}` : ''}`;
}

function verdictLine(t: Trace, c: ChalkInstance): string {
  const colour = t.verdict === 'delivered' ? c.green : t.verdict === 'unknown' ? c.yellow : c.red;
  return `${c.bold('VERDICT')}  ${colour(t.verdict)} — ${s(t.reason)}`;
}

function renderFinding(f: Finding, c: ChalkInstance): string[] {
  const sev = f.severity === 'error' ? c.red('✗') : f.severity === 'warning' ? c.yellow('!') : c.blue('i');
  const lines = [`  ${sev} ${s(f.code)}: ${s(f.message)}${f.hops.length ? ` (${f.hops.length === 1 ? 'hop' : 'hops'} ${f.hops.join(', ')})` : ''}`];
  for (const e of f.evidence) lines.push(`      ${c.dim(evidence(e))}`);
  if (f.fix) lines.push(`      fix: ${s(f.fix)}`);
  return lines;
}

const s = inert;
