/**
 * Splits one rule line into arguments the way iptables-restore does: whitespace separates,
 * a double quote opens or closes a quoted stretch (which may sit inside a word), and inside
 * quotes a backslash takes the next character literally. iptables-save quotes exactly so.
 * Returns undefined when a quote is left open.
 */
export function tokenize(line: string): string[] | undefined {
  const out: string[] = [];
  let buf = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) buf += line[++i];
      else if (c === '"') quoted = false;
      else buf += c;
    } else if (c === '"') {
      quoted = true;
      inToken = true;
    } else if (c === ' ' || c === '\t') {
      if (inToken) out.push(buf);
      buf = '';
      inToken = false;
    } else {
      buf += c;
      inToken = true;
    }
  }
  if (quoted) return undefined;
  if (inToken) out.push(buf);
  return out;
}
