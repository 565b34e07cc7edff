import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Ruleset } from '../../src/model/netfilter.ts';
import { parseNftJson } from '../../src/parse/nft-json.ts';
import type { TempNetns } from './netns.ts';

/** Tools `loadNftGolden` needs besides root. */
export const NFT_GOLDEN_TOOLS = ['ip', 'nft', 'unshare', 'mount'];

/**
 * The hostprobe goldens match against sets that istio-cni creates separately; declare them (with the
 * type the referencing selector implies) right after the table is flushed.
 */
function withReferencedSets(golden: string): string {
  const sets = new Map<string, string>();
  for (const m of golden.matchAll(/^add rule (\S+) (\S+) .*?\b(ip6?) [sd]addr @(\S+)/gm)) {
    sets.set(`add set ${m[1]} ${m[2]} ${m[4]} { type ${m[3] === 'ip' ? 'ipv4_addr' : 'ipv6_addr'} ; }`, `flush table ${m[1]} ${m[2]}`);
  }
  let out = golden;
  for (const [decl, after] of sets) out = out.replace(after, `${after}\n${decl}`);
  return out;
}

/** Group names the goldens use (`skgid java`) that this host lacks, with free gids for a private /etc/group. */
function groupFile(golden: string, dir: string): string {
  const current = readFileSync('/etc/group', 'utf8');
  const known = new Set(current.split('\n').map((l) => l.split(':')[0]));
  const names = [...new Set([...golden.matchAll(/\bskgid (?:!= )?([a-z_][a-z0-9_-]*)/g)].map((m) => m[1]))].filter((n) => !known.has(n));
  const file = path.join(dir, 'group');
  writeFileSync(file, current.trimEnd() + '\n' + names.map((n, i) => `${n}:x:${61000 + i}:\n`).join(''));
  return file;
}

/**
 * Applies an Istio nft golden with `nft -f` inside `ns` (group names resolved through a private
 * /etc/group, so the host's is never touched) and parses `nft -j list ruleset`.
 */
export function loadNftGolden(ns: TempNetns, golden: string): Ruleset {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipath-nft-'));
  try {
    const group = groupFile(golden, dir);
    ns.run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind "${group}" /etc/group && nft -f -`], withReferencedSets(golden));
    return parseNftJson(ns.run('nft', ['-j', 'list', 'ruleset']), 'nft.json');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
