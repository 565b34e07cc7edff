import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { corpusDir, projectRoot } from '../../support/corpus.ts';

/** A real input file: the fuzzer mutates its bytes. */
export interface Seed {
  /** Where it came from, for reports and regression cases. */
  origin: string;
  bytes: Buffer;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every file of every example snapshot, keyed by its file name (`ip-route.json`, `pods.json`, …). */
export function exampleSeeds(): Map<string, Seed[]> {
  const root = path.join(projectRoot, 'examples');
  const out = new Map<string, Seed[]>();
  for (const file of filesUnder(root).sort()) {
    const name = path.basename(file);
    const list = out.get(name) ?? [];
    list.push({ origin: path.relative(projectRoot, file), bytes: readFileSync(file) });
    out.set(name, list);
  }
  return out;
}

/**
 * The corpus files each parser reads, keyed like {@link exampleSeeds}; empty when the corpus is absent.
 * Restore-format and command-list goldens become iptables-save-like text (one dump per family and
 * blob), which is what a capture would record after loading them. nft goldens are `nft -f` scripts,
 * not `nft -j` JSON, so they are not parser input; the examples' kernel-made `nft.json` files are.
 */
export function corpusSeeds(): Map<string, Seed[]> {
  const out = new Map<string, Seed[]>();
  const dir = corpusDir();
  if (!dir) return out;
  const add = (key: string, origin: string, text: string) => {
    const list = out.get(key) ?? [];
    list.push({ origin, bytes: Buffer.from(text) });
    out.set(key, list);
  };
  for (const file of filesUnder(dir).sort()) {
    const rel = path.relative(dir, file);
    const text = readFileSync(file, 'utf8');
    if (/^(sidecar-iptables|ambient-inpod-iptables)\//.test(rel)) {
      saveLikeDumps(text).forEach((dump, i) => add(dump.tool === 'iptables' ? 'iptables-save.txt' : 'ip6tables-save.txt', `corpus/${rel}#${i}`, dump.text));
    } else if (rel.startsWith('ztunnel-config-dump/') && rel.endsWith('.json')) {
      add('ztunnel-config-dump.json', `corpus/${rel}`, text);
    } else if (rel.startsWith('envoy-config-dump/')) {
      add('envoy-config-dump.json', `corpus/${rel}`, text);
    }
  }
  return out;
}

/** RESTORE / RESTORE-TRANSCRIPT / CMDLIST goldens (corpus README) → `iptables-save`-shaped dumps. */
export function saveLikeDumps(text: string): { tool: 'iptables' | 'ip6tables'; text: string }[] {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== 'iptables-save' && l !== 'ip6tables-save');
  if (lines.some((l) => /^ip6?tables /.test(l))) return commandDumps(lines);
  const dumps: { tool: 'iptables' | 'ip6tables'; tables: Set<string>; out: string[] }[] = [];
  let cur: (typeof dumps)[number] | undefined;
  for (const line of lines) {
    if (line.startsWith('*')) {
      const table = line.slice(1).trim();
      // A table seen again starts the next blob: the IPv6 one follows the IPv4 one.
      if (!cur || cur.tables.has(table)) dumps.push((cur = { tool: dumps.length === 0 ? 'iptables' : 'ip6tables', tables: new Set(), out: [] }));
      cur.tables.add(table);
      cur.out.push(`*${table}`);
    } else if (cur) {
      cur.out.push(line.startsWith('-N ') ? `:${line.slice(3).trim()} - [0:0]` : line);
    }
  }
  return dumps.map((d) => ({ tool: d.tool, text: d.out.join('\n') + '\n' }));
}

function commandDumps(lines: string[]): { tool: 'iptables' | 'ip6tables'; text: string }[] {
  const byTool = new Map<'iptables' | 'ip6tables', Map<string, string[]>>();
  for (const line of lines) {
    const m = /^(ip6?tables)\s+(?:-t\s+(\S+)\s+)?(.*)$/.exec(line);
    if (!m) continue;
    const tool = m[1] as 'iptables' | 'ip6tables';
    const tables = byTool.get(tool) ?? new Map<string, string[]>();
    byTool.set(tool, tables);
    const table = m[2] ?? 'filter';
    const body = tables.get(table) ?? [];
    tables.set(table, body);
    body.push(m[3].startsWith('-N ') ? `:${m[3].slice(3).trim()} - [0:0]` : m[3]);
  }
  return [...byTool].map(([tool, tables]) => ({ tool, text: [...tables].map(([table, body]) => `*${table}\n${body.join('\n')}\nCOMMIT\n`).join('') }));
}
