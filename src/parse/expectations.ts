import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode, type YAMLMap } from 'yaml';
import { VIA_COMPONENTS, type Check, type Pair, type ViaComponent } from '../model/index.ts';
import { pointerToken } from './json.ts';

/**
 * The expectations file of `assert -f` (README, "CI assertions"):
 *
 *   apiVersion: istio-path/v1
 *   kind: Expectations
 *   namespace: default            # optional
 *   pairs:
 *     - name: …                   # optional
 *       source: sleep
 *       destination: reviews
 *       port: 9080                # optional
 *       namespace: default        # optional
 *       expect: { reachable: true, via: [waypoint], notVia: [sidecar], hbone: true, noFindings: true, allowFindings: [code] }
 *
 * `expect` holds the flags of a single-pair `assert`; without it a pair is expected to be reachable.
 */
export interface PairSpec {
  /** `name` only when the file gives one; the caller derives a name otherwise. */
  pair: Omit<Pair, 'name'> & { name?: string };
  checks: Check[];
  origin: { file: string; line?: number; pointer: string };
}

/** A problem with the expectations file: the file, the line, the JSON pointer of the bad key, what was expected. */
export class ExpectationsError extends Error {
  constructor(file: string, line: number | undefined, pointer: string, problem: string) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${pointer ? `${pointer}: ` : ''}${problem}`);
    this.name = 'ExpectationsError';
  }
}

const API_VERSION = 'istio-path/v1';
const KIND = 'Expectations';
const TOP_KEYS = ['apiVersion', 'kind', 'namespace', 'pairs'];
const PAIR_KEYS = ['name', 'source', 'destination', 'port', 'namespace', 'expect'];
const EXPECT_KEYS = ['reachable', 'via', 'notVia', 'hbone', 'noFindings', 'allowFindings'];
const FINDING_CODE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** What Kubernetes accepts as a namespace name (RFC 1123 label). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseExpectations(text: string, file: string, defaultNamespace = 'default'): PairSpec[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    throw new ExpectationsError(file, lines.linePos(syntax.pos[0]).line, '', `not valid YAML: ${syntax.message.split('\n')[0]}`);
  }
  return new Reader(doc, lines, file).read(defaultNamespace);
}

/** Walks the YAML tree keeping each value's position, so every error can name its line and pointer. */
class Reader {
  constructor(private readonly doc: Document, private readonly lines: LineCounter, private readonly file: string) {}

  read(defaultNamespace: string): PairSpec[] {
    const root = this.resolve(this.doc.contents);
    const top = this.map(root, '', 'a mapping with apiVersion, kind and pairs');
    this.onlyKeys(top, '', TOP_KEYS);
    const apiVersion = this.get(top, '', 'apiVersion', true);
    if (this.scalar(apiVersion) !== API_VERSION) this.fail(apiVersion, '/apiVersion', `expected ${API_VERSION}, got ${this.show(apiVersion)}`);
    const kind = this.get(top, '', 'kind', true);
    if (this.scalar(kind) !== KIND) this.fail(kind, '/kind', `expected ${KIND}, got ${this.show(kind)}`);
    const namespace = this.namespace(this.get(top, '', 'namespace', false), '/namespace') ?? defaultNamespace;
    const pairs = this.get(top, '', 'pairs', true)!;
    if (!isSeq(pairs)) this.fail(pairs, '/pairs', `expected a list of pairs, got ${this.show(pairs)}`);
    if (!pairs.items.length) this.fail(pairs, '/pairs', 'expected at least one pair');
    return pairs.items.map((item, i) => this.pair(this.resolve(item as YamlNode), `/pairs/${i}`, namespace));
  }

  private pair(node: YamlNode | null, at: string, defaultNamespace: string): PairSpec {
    const m = this.map(node, at, 'a pair: a mapping with source and destination');
    this.onlyKeys(m, at, PAIR_KEYS);
    const name = this.string(this.get(m, at, 'name', false), `${at}/name`);
    const source = this.string(this.get(m, at, 'source', true), `${at}/source`)!;
    const destination = this.string(this.get(m, at, 'destination', true), `${at}/destination`)!;
    const port = this.port(this.get(m, at, 'port', false), `${at}/port`);
    const namespace = this.namespace(this.get(m, at, 'namespace', false), `${at}/namespace`) ?? defaultNamespace;
    const expect = this.get(m, at, 'expect', false);
    const checks = expect ? this.expect(expect, `${at}/expect`) : [{ kind: 'reachable' } as const];
    return {
      pair: { ...(name !== undefined ? { name } : {}), source, destination, namespace, ...(port !== undefined ? { port } : {}) },
      checks,
      origin: { file: this.file, line: this.line(m), pointer: at },
    };
  }

  private expect(node: YamlNode, at: string): Check[] {
    const m = this.map(node, at, `a mapping of ${EXPECT_KEYS.join(', ')}`);
    this.onlyKeys(m, at, EXPECT_KEYS);
    if (!m.items.length) this.fail(m, at, `expected at least one of ${EXPECT_KEYS.join(', ')}; omit expect to expect the pair to be reachable`);
    const checks: Check[] = [];
    const reachable = this.get(m, at, 'reachable', false);
    if (reachable) checks.push({ kind: this.boolean(reachable, `${at}/reachable`) ? 'reachable' : 'unreachable' });
    const via = this.components(this.get(m, at, 'via', false), `${at}/via`);
    const notVia = this.components(this.get(m, at, 'notVia', false), `${at}/notVia`);
    const both = via.find((c) => notVia.includes(c));
    if (both) this.fail(m, at, `${both} is both in via and in notVia`);
    checks.push(...via.map((component) => ({ kind: 'via', component }) as const));
    checks.push(...notVia.map((component) => ({ kind: 'not-via', component }) as const));
    const hbone = this.get(m, at, 'hbone', false);
    if (hbone) {
      if (!this.boolean(hbone, `${at}/hbone`)) this.fail(hbone, `${at}/hbone`, 'only true is meaningful (some leg is HBONE); remove the key to expect nothing of the protocol');
      checks.push({ kind: 'hbone' });
    }
    const noFindings = this.get(m, at, 'noFindings', false);
    if (noFindings && !this.boolean(noFindings, `${at}/noFindings`)) this.fail(noFindings, `${at}/noFindings`, 'only true is meaningful; remove the key to allow any finding');
    const allowNode = this.get(m, at, 'allowFindings', false);
    const allow = this.list(allowNode, `${at}/allowFindings`).map(([n, p]) => {
      const code = this.string(n, p)!;
      if (!FINDING_CODE.test(code)) this.fail(n, p, `"${code}" is not a finding code; codes are kebab-case, e.g. waypoint-bypassed`);
      return code;
    });
    if (noFindings || allowNode) checks.push({ kind: 'findings', allow: [...new Set(allow)] });
    return checks;
  }

  private components(node: YamlNode | undefined, at: string): ViaComponent[] {
    const out: ViaComponent[] = [];
    for (const [n, p] of this.list(node, at)) {
      const v = this.string(n, p)!;
      if (!(VIA_COMPONENTS as readonly string[]).includes(v)) this.fail(n, p, `"${v}" is not a component; expected ${VIA_COMPONENTS.join(', ')}`);
      if (!out.includes(v as ViaComponent)) out.push(v as ViaComponent);
    }
    return out;
  }

  /** A list, or a single value standing for a list of one; each item with its pointer. */
  private list(node: YamlNode | undefined, at: string): [YamlNode, string][] {
    if (!node) return [];
    if (isSeq(node)) {
      if (!node.items.length) this.fail(node, at, 'expected at least one item; remove the key instead');
      return node.items.map((item, i) => [this.resolve(item as YamlNode)!, `${at}/${i}`]);
    }
    return [[node, at]];
  }

  private port(node: YamlNode | undefined, at: string): number | string | undefined {
    if (!node) return undefined;
    const raw = this.scalar(node);
    const v = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535) return v;
    if (typeof v === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)) return v;
    return this.fail(node, at, `expected a port number (1-65535) or a port name, got ${this.show(node)}`);
  }

  private namespace(node: YamlNode | undefined, at: string): string | undefined {
    const v = this.string(node, at);
    if (v !== undefined && !NAMESPACE.test(v)) this.fail(node!, at, `"${v}" is not a namespace name (lower-case letters, digits and -)`);
    return v;
  }

  private string(node: YamlNode | undefined, at: string): string | undefined {
    if (!node) return undefined;
    const v = this.scalar(node);
    if (typeof v !== 'string' || !v.trim()) this.fail(node, at, `expected a non-empty string, got ${this.show(node)}`);
    return v as string;
  }

  private boolean(node: YamlNode, at: string): boolean {
    const v = this.scalar(node);
    if (typeof v !== 'boolean') this.fail(node, at, `expected true or false, got ${this.show(node)}`);
    return v as boolean;
  }

  private map(node: YamlNode | null | undefined, at: string, expected: string): YAMLMap {
    if (!isMap(node)) return this.fail(node ?? undefined, at, `expected ${expected}, got ${this.show(node ?? undefined)}`);
    for (const item of node.items) {
      if (!isScalar(item.key) || typeof item.key.value !== 'string') this.fail((item.key as YamlNode) ?? node, at, 'keys must be plain strings');
    }
    return node;
  }

  private onlyKeys(m: YAMLMap, at: string, allowed: string[]): void {
    for (const item of m.items) {
      const key = (item.key as { value: string }).value;
      if (!allowed.includes(key)) this.fail(item.key as YamlNode, `${at}/${pointerToken(key)}`, `unknown key; expected one of ${allowed.join(', ')}`);
    }
  }

  private get(m: YAMLMap, at: string, key: string, required: true): YamlNode;
  private get(m: YAMLMap, at: string, key: string, required: false): YamlNode | undefined;
  private get(m: YAMLMap, at: string, key: string, required: boolean): YamlNode | undefined {
    const item = m.items.find((i) => (i.key as { value: string }).value === key);
    if (!item || item.value === null || (isScalar(item.value) && item.value.value === null)) {
      if (required) this.fail(item ? (item.key as YamlNode) : m, at, `missing key ${key}`);
      return undefined;
    }
    return this.resolve(item.value as YamlNode) ?? undefined;
  }

  private resolve(node: YamlNode | null | undefined): YamlNode | null {
    if (node && isAlias(node)) return (node.resolve(this.doc) as YamlNode | undefined) ?? null;
    return node ?? null;
  }

  private scalar(node: YamlNode | undefined): unknown {
    return node && isScalar(node) ? node.value : undefined;
  }

  /** A value as the user wrote it, for messages. */
  private show(node: YamlNode | undefined): string {
    if (!node) return 'nothing';
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    const v = this.scalar(node);
    return typeof v === 'string' ? JSON.stringify(v) : String(v);
  }

  private line(node: YamlNode | undefined): number | undefined {
    const start = node?.range?.[0];
    return start !== undefined ? this.lines.linePos(start).line : undefined;
  }

  private fail(node: YamlNode | undefined, at: string, problem: string): never {
    throw new ExpectationsError(this.file, this.line(node), at, problem);
  }
}
