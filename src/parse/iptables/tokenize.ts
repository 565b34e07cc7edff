const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Reads one rule line argument by argument the way iptables-restore splits it: whitespace separates,
 * a double quote opens or closes a quoted stretch (which may sit inside a word), and inside quotes a
 * backslash takes the next character literally. iptables-save quotes exactly so. Unquoted arguments
 * are slices of the line, so a rule costs no per-character string building.
 */
export class Tokens {
  pos = 0;
  /** Set when the line ends inside a quoted stretch. */
  open = false;

  constructor(readonly line: string) {}

  /** The next argument, or undefined at the end of the line (or at an unterminated quote: see `open`). */
  next(): string | undefined {
    const { line } = this;
    const n = line.length;
    let i = this.pos;
    let c = 0;
    while (i < n && ((c = line.charCodeAt(i)) === SPACE || c === TAB)) i++;
    if (i >= n) {
      this.pos = n;
      return undefined;
    }
    const start = i;
    while (i < n && (c = line.charCodeAt(i)) !== SPACE && c !== TAB && c !== QUOTE) i++;
    if (i >= n || c !== QUOTE) {
      this.pos = i;
      return line.slice(start, i);
    }
    let buf = line.slice(start, i);
    let quoted = false;
    while (i < n) {
      c = line.charCodeAt(i);
      if (quoted) {
        let j = i;
        while (j < n && (c = line.charCodeAt(j)) !== QUOTE && c !== BACKSLASH) j++;
        buf += line.slice(i, j);
        if (j >= n) {
          i = j;
          break;
        }
        if (c === QUOTE) {
          quoted = false;
          i = j + 1;
        } else if (j + 1 < n) {
          buf += line[j + 1];
          i = j + 2;
        } else {
          buf += '\\';
          i = j + 1;
        }
      } else if (c === QUOTE) {
        quoted = true;
        i++;
      } else if (c === SPACE || c === TAB) {
        break;
      } else {
        let j = i;
        while (j < n && (c = line.charCodeAt(j)) !== SPACE && c !== TAB && c !== QUOTE) j++;
        buf += line.slice(i, j);
        i = j;
      }
    }
    this.pos = i;
    if (quoted) {
      this.open = true;
      return undefined;
    }
    return buf;
  }
}

/** Every argument of a rule line; undefined when a quote is left open. */
export function tokenize(line: string): string[] | undefined {
  const t = new Tokens(line);
  const out: string[] = [];
  for (let token = t.next(); token !== undefined; token = t.next()) out.push(token);
  return t.open ? undefined : out;
}
