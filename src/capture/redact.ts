/** What a snapshot must never hold: the secrets a config dump may carry. */

const SECRETS_DUMP = /SecretsConfigDump$/;
const KEY_FIELDS = new Set(['private_key', 'privateKey', 'private_key_provider', 'password', 'session_ticket_keys', 'hmac_secret', 'secret']);
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const hasPemKey = (text: string) => text.search(PEM_KEY) >= 0;

export interface Redacted {
  text: string;
  /** JSON pointers of what was removed, for meta.json's notes. */
  removed: string[];
}

/**
 * Removes Envoy's `SecretsConfigDump` section and every field that holds key material (by name, or
 * any string holding a PEM private key) from a config dump. Text that is not JSON keeps no PEM key.
 */
export function redactConfigDump(text: string): Redacted {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    const removed = hasPemKey(text) ? ['(text)'] : [];
    return { text: text.replace(PEM_KEY, '[redacted by istio-path]'), removed };
  }
  const removed: string[] = [];
  const clean = walk(root, '', removed);
  return { text: removed.length ? `${JSON.stringify(clean, null, 2)}\n` : text, removed };
}

function walk(value: unknown, pointer: string, removed: string[]): unknown {
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    value.forEach((item, i) => {
      if (isSecretsDump(item)) removed.push(`${pointer}/${i}`);
      else kept.push(walk(item, `${pointer}/${i}`, removed));
    });
    return kept;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const at = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (KEY_FIELDS.has(key) || isSecretsDump(item)) removed.push(at);
      else out[key] = walk(item, at, removed);
    }
    return out;
  }
  if (typeof value === 'string' && hasPemKey(value)) {
    removed.push(pointer);
    return value.replace(PEM_KEY, '[redacted by istio-path]');
  }
  return value;
}

function isSecretsDump(v: unknown): boolean {
  return !!v && typeof v === 'object' && SECRETS_DUMP.test(String((v as { '@type'?: unknown })['@type'] ?? ''));
}
