import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseGateways, parsePeerAuthentications, parseServiceEntries } from '../../../src/parse/k8s.ts';
import { readSnapshot } from '../../../src/snapshot/read.ts';
import { projectRoot } from '../../support/corpus.ts';

/** Istio's own objects in a snapshot: `k8s/serviceentries.json`, `k8s/peerauthentications.json`, `k8s/gateways.json`. */
const list = (items: unknown[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

describe('Istio object lists', () => {
  it('reads a ServiceEntry: hosts, addresses, endpoint addresses, ports, labels', () => {
    const text = list([{ kind: 'ServiceEntry', metadata: { name: 'api', namespace: 'default', labels: { 'istio.io/use-waypoint': 'egress' } }, spec: { hosts: ['api.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], endpoints: [{ address: '203.0.113.7' }], resolution: 'STATIC' } }]);
    assert.deepEqual(parseServiceEntries(text, 'k8s/serviceentries.json'), [{
      name: 'api', namespace: 'default', hosts: ['api.example.com'], addresses: [], endpoints: ['203.0.113.7'], ports: [{ name: 'tls', number: 443, protocol: 'TLS' }],
      labels: { 'istio.io/use-waypoint': 'egress' }, evidence: { file: 'k8s/serviceentries.json', pointer: '/items/0', text: 'ServiceEntry default/api' },
    }]);
  });

  it('reads a PeerAuthentication: selector, mode and port-level modes', () => {
    const text = list([{ kind: 'PeerAuthentication', metadata: { name: 'legacy', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'httpbin' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'DISABLE' } } } }]);
    assert.deepEqual(parsePeerAuthentications(text, 'k8s/peerauthentications.json'), [{
      name: 'legacy', namespace: 'default', selector: { app: 'httpbin' }, mode: 'STRICT', portLevel: { '8080': 'DISABLE' },
      evidence: { file: 'k8s/peerauthentications.json', pointer: '/items/0', text: 'PeerAuthentication default/legacy' },
    }]);
  });

  it('reads the example\'s waypoint Gateway: class, waypoint-for, HBONE listener, status address', async () => {
    const file = 'k8s/gateways.json';
    const text = await readFile(path.join(projectRoot, 'examples/finding-waypoint-bypassed', file), 'utf8');
    assert.deepEqual(parseGateways(text, file), [{
      name: 'waypoint', namespace: 'default', className: 'istio-waypoint', labels: { 'istio.io/waypoint-for': 'workload' }, annotations: {},
      listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedFrom: 'Same' }], addresses: ['10.96.65.117'],
      evidence: { file, pointer: '/items/0', text: 'Gateway default/waypoint' },
    }]);
  });

  const BAD: { name: string; parse: (text: string, file: string) => unknown; file: string; text: string; message: string }[] = [
    {
      name: 'a Gateway without gatewayClassName', parse: parseGateways, file: 'k8s/gateways.json', text: list([{ kind: 'Gateway', metadata: { name: 'w', namespace: 'd' }, spec: {} }]),
      message: 'k8s/gateways.json#/items/0/spec/gatewayClassName: expected the gateway class name, found nothing',
    },
    {
      name: 'a ServiceEntry port without a number', parse: parseServiceEntries, file: 'k8s/serviceentries.json', text: list([{ kind: 'ServiceEntry', metadata: { name: 'api', namespace: 'd' }, spec: { ports: [{ name: 'tls' }] } }]),
      message: 'k8s/serviceentries.json#/items/0/spec/ports/0/number: expected a port number (1-65535), found nothing',
    },
    {
      name: 'a list of Services given as PeerAuthentications', parse: parsePeerAuthentications, file: 'k8s/peerauthentications.json', text: list([{ kind: 'Service', metadata: { name: 's' } }]),
      message: 'k8s/peerauthentications.json#/items/0/kind: expected kind PeerAuthentication, found string "Service" (hint: k8s files hold the output of `kubectl get peerauthentications -A -o json`)',
    },
  ];
  for (const c of BAD) {
    it(`rejects ${c.name}`, () => assert.throws(() => c.parse(c.text, c.file), { name: 'InputError', message: c.message }));
  }

  it('are optional: absent files leave the fields undefined and are not reported missing', async () => {
    const s = await readSnapshot(path.join(projectRoot, 'examples/sidecar-iptables'));
    assert.deepEqual([s.k8s.gateways, s.k8s.serviceEntries, s.k8s.peerAuthentications, s.missingK8s], [undefined, undefined, undefined, []]);
    const w = await readSnapshot(path.join(projectRoot, 'examples/finding-waypoint-bypassed'));
    assert.equal(w.k8s.gateways?.length, 1);
  });
});
