import { useState } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import type { Evidence, Hop, Leg, PacketView, Trace } from '../../model/index.ts';
import { inert as s } from '../inert.ts';
import { legKind } from '../leg.ts';

/** One path the explorer can show: the trace's own, or one of its alternatives (which carry no legs). */
interface PathView {
  title: string;
  hops: Hop[];
  legs: Leg[];
}

function paths(trace: Trace): PathView[] {
  return [
    { title: `${trace.verdict} — ${trace.reason}`, hops: trace.hops, legs: trace.legs },
    ...trace.alternatives.map((a) => ({ title: a.reason, hops: a.hops, legs: [] })),
  ];
}

/** Rows the screen keeps for the header, the footer and the borders around the hop list. */
const CHROME_ROWS = 6;
/** Columns of the hop list, borders included; the selected hop's detail takes the rest. */
const LIST_WIDTH = 42;
/** Evidence lines shown for a hop before enter expands it. */
const COLLAPSED_EVIDENCE = 2;

/**
 * `trace -i`: the hop list on the left, the selected hop's packet and evidence on the right.
 * ↑/↓ (or k/j) move, enter expands the evidence, `a` switches to the next alternative path, q quits.
 */
export function Explorer({ trace }: { trace: Trace }) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const all = paths(trace);
  const [pathIndex, setPathIndex] = useState(0);
  const [selected, setSelected] = useState(0);
  const [expanded, setExpanded] = useState(false);
  const path = all[pathIndex]!;
  const hop = path.hops[selected];

  useInput((input, key) => {
    if (input === 'q' || key.escape) return exit();
    if (key.downArrow || input === 'j') {
      setSelected((i) => Math.min(i + 1, path.hops.length - 1));
      setExpanded(false);
    } else if (key.upArrow || input === 'k') {
      setSelected((i) => Math.max(i - 1, 0));
      setExpanded(false);
    } else if (key.return) {
      setExpanded((x) => !x);
    } else if (input === 'a' && all.length > 1) {
      setPathIndex((i) => (i + 1) % all.length);
      setSelected(0);
      setExpanded(false);
    }
  });

  const rows = Math.max(3, (stdout.rows || 24) - CHROME_ROWS);
  const first = Math.min(Math.max(0, selected - Math.floor(rows / 2)), Math.max(0, path.hops.length - rows));
  const visible = path.hops.slice(first, first + rows);
  const src = trace.source.pod ? `${trace.source.namespace}/${trace.source.pod}` : trace.source.query;
  const d = trace.destination;
  const dst = d.service ? `${d.namespace}/${d.service}:${d.port}` : `${d.pod ? `${d.namespace}/${d.pod}` : d.ip ?? d.query}:${d.port}`;

  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>{s(`${src} → ${dst}`)}</Text>
        {`  path ${pathIndex + 1}/${all.length}: ${s(path.title)}`}
      </Text>
      <Box>
        <Box flexDirection="column" width={LIST_WIDTH} flexShrink={0} borderStyle="single">
          {visible.map((h) => (
            <Text key={h.n} wrap="truncate-end" inverse={h === hop}>
              {`${h === hop ? '›' : ' '}${h.status === 'observed' ? '✓' : '~'}${String(h.n).padStart(3)} ${h.component.padEnd(8)} ${s(h.where)}`}
            </Text>
          ))}
        </Box>
        <Box flexDirection="column" flexGrow={1} borderStyle="single" paddingX={1}>
          {hop ? <HopDetail hop={hop} leg={path.legs.find((l) => l.hops.includes(hop.n))} expanded={expanded} width={(stdout.columns || 80) - LIST_WIDTH - 4} /> : <Text>no hops</Text>}
        </Box>
      </Box>
      <Text dimColor>{`↑/↓ move  enter ${expanded ? 'collapse' : 'expand'}  ${all.length > 1 ? 'a alternative path  ' : ''}q quit`}</Text>
    </Box>
  );
}

function HopDetail({ hop, leg, expanded, width }: { hop: Hop; leg: Leg | undefined; expanded: boolean; width: number }) {
  const evidence = expanded ? hop.evidence : hop.evidence.slice(0, COLLAPSED_EVIDENCE);
  const hidden = hop.evidence.length - evidence.length;
  return (
    <Box flexDirection="column">
      <Text bold>{`hop ${hop.n}  ${hop.component}  ${hop.status}`}</Text>
      <Text>{s(hop.netns)}</Text>
      <Text>{s(hop.where)}</Text>
      {leg ? <Text>{`leg ${leg.n} ${legKind(leg)}  ${s(leg.from)} → ${s(leg.to)}`}</Text> : null}
      <Text bold>{s(hop.action)}</Text>
      <Text>{`before ${packet(hop.packet.before)}`}</Text>
      <Text>{`after  ${packet(hop.packet.after)}`}</Text>
      {hop.note ? <Text dimColor>{`note: ${s(hop.note)}`}</Text> : null}
      <Text bold>evidence</Text>
      {evidence.flatMap((e, i) =>
        (expanded ? hardWrap(evidenceLine(e), width - 2) : [evidenceLine(e)]).map((line, j) => (
          <Text key={`${i}.${j}`} wrap="truncate-end">{`${j ? ' ' : '•'} ${line}`}</Text>
        )),
      )}
      {hidden > 0 ? <Text dimColor>{`… ${hidden} more (enter)`}</Text> : null}
    </Box>
  );
}

/**
 * Expanded evidence is cut into lines here rather than by ink: a rule line is one long word-poor
 * string, and every character of it must stay visible.
 */
function hardWrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += Math.max(1, width)) lines.push(text.slice(i, i + Math.max(1, width)));
  return lines.length ? lines : [''];
}

function packet(p: PacketView): string {
  const parts = [`${p.proto} ${p.src} → ${p.dst}`, `mark ${p.mark}`];
  if (p.outer) parts.push(`outer ${p.outer.type} ${p.outer.src} → ${p.outer.dst} vni ${p.outer.vni}`);
  if (p.hbone) parts.push(`hbone ${p.hbone.authority} :${p.hbone.port}`);
  return s(parts.join('  '));
}

function evidenceLine(e: Evidence): string {
  const at = e.line !== undefined ? `:${e.line}` : e.pointer !== undefined ? `#${e.pointer}` : '';
  if (e.missing) return `${s(e.file)} (missing)`;
  return `${s(e.file)}${at}${e.text ? `  ${s(e.text)}` : ''}`;
}
