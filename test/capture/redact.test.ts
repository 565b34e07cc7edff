import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactConfigDump } from '../../src/capture/redact.ts';

const KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkey\n-----END EC PRIVATE KEY-----';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----';

const CASES: { name: string; input: unknown; output: unknown; removed: string[] }[] = [
  {
    name: 'Envoy SecretsConfigDump goes whole; the other sections stay',
    input: { configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', dynamic_listeners: [] }, { '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump', dynamic_active_secrets: [{ name: 'default', secret: { tls_certificate: { private_key: { inline_bytes: 'a2V5' } } } }] }] },
    output: { configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', dynamic_listeners: [] }] },
    removed: ['/configs/1'],
  },
  {
    name: 'private keys anywhere, by field name, keep the certificate',
    input: { certificates: [{ identity: 'spiffe://cluster.local/ns/default/sa/sleep', certChain: [{ pem: CERT }], private_key: { inline_string: KEY } }] },
    output: { certificates: [{ identity: 'spiffe://cluster.local/ns/default/sa/sleep', certChain: [{ pem: CERT }] }] },
    removed: ['/certificates/0/private_key'],
  },
  {
    name: 'a PEM private key inside any string',
    input: { bootstrap: { note: `cert ${CERT} key ${KEY}` } },
    output: { bootstrap: { note: `cert ${CERT} key [redacted by istio-path]` } },
    removed: ['/bootstrap/note'],
  },
  { name: 'nothing secret: the text is kept byte for byte', input: { configs: [] }, output: { configs: [] }, removed: [] },
];

describe('config dumps lose their secrets on capture', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = redactConfigDump(JSON.stringify(c.input));
      assert.deepEqual(JSON.parse(r.text), c.output);
      assert.deepEqual(r.removed, c.removed);
      assert.doesNotMatch(r.text, /PRIVATE KEY-----\n|inline_bytes/);
    });
  }

  it('text that is not JSON keeps no PEM private key', () => {
    assert.deepEqual(redactConfigDump(`x ${KEY} y`), { text: 'x [redacted by istio-path] y', removed: ['(text)'] });
  });
});
