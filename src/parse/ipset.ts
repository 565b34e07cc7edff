import type { IpSet } from '../model/netfilter.ts';
import { tokenize } from './iptables/tokenize.ts';
import { LineCtx } from './iptables/values.ts';
import { quote } from './json.ts';

const HINT = 'the file should be the unmodified output of ipset save';

/** Reads `ipset save` output: `create NAME TYPE options…` and `add NAME MEMBER options…` lines. */
export function parseIpsetSave(text: string, file: string): Map<string, IpSet> {
  const sets = new Map<string, IpSet>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const ctx: LineCtx = new LineCtx(file, i + 1);
    const tokens = tokenize(line);
    if (!tokens) ctx.fail('expected a closing double quote', 'a quoted comment is not terminated');
    const [verb, name, value, ...opts] = tokens;
    const evidence = { file, line: i + 1, text: line };
    if (verb === 'create') {
      if (!name || !value) ctx.fail('expected "create NAME TYPE [options]"', HINT);
      if (sets.has(name)) ctx.fail(`expected set ${name} to be created once`, HINT);
      sets.set(name, { name, type: value, ...family(opts, ctx), members: [], evidence });
    } else if (verb === 'add') {
      const set = sets.get(name ?? '');
      if (!set) ctx.fail(`expected "add" to name a set created above, found ${quote(name ?? '')}`, HINT);
      if (!value) ctx.fail('expected "add NAME MEMBER [options]"', HINT);
      set.members.push({ value, evidence, ...(opts.includes('nomatch') ? { nomatch: true } : {}) });
    } else {
      ctx.fail(`expected a "create" or "add" line, found ${quote(verb)}`, HINT);
    }
  }
  return sets;
}

function family(opts: string[], ctx: LineCtx): { family?: 'inet' | 'inet6' } {
  const at = opts.indexOf('family');
  if (at < 0) return {};
  const f = opts[at + 1];
  if (f !== 'inet' && f !== 'inet6') ctx.fail(`expected "family inet" or "family inet6", found ${quote(`family ${f ?? ''}`)}`);
  return { family: f };
}
