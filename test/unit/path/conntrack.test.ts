import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Conntrack, ctStates, entryFor, natRewrite, type Established } from '../../../src/engine/path/conntrack.ts';
import type { Packet } from '../../../src/model/index.ts';

const pkt = (src: string, sport: number, dst: string, dport: number, connmark = 0): Packet => ({ proto: 'tcp', src, sport, dst, dport, mark: 0, connmark, zone: 0 });

/** A SYN from 10.0.0.1:40000 to the Service 10.96.0.10:80, DNATed to the pod 10.0.1.7:8080 and SNATed to the node 172.18.0.2:61000 in one netns. */
function natted(): Conntrack {
  const ct = new Conntrack();
  ct.begin('node:a', pkt('10.0.0.1', 40000, '10.96.0.10', 80));
  ct.begin('node:a', pkt('9.9.9.9', 1, '9.9.9.9', 1)); // the first tuple stays
  ct.end('node:a', pkt('172.18.0.2', 61000, '10.0.1.7', 8080, 0x40));
  return ct;
}

const holder = { netns: 'pod:x', ip: '10.0.0.1', port: 40000 };

describe('conntrack of a handshake', () => {
  it('keeps the tuple the entry was made with and the one the SYN left with, and its connmark', () => {
    assert.deepEqual(natted().entries.get('node:a'), {
      original: { src: '10.0.0.1', sport: 40000, dst: '10.96.0.10', dport: 80 },
      translated: { src: '172.18.0.2', sport: 61000, dst: '10.0.1.7', dport: 8080 },
      connmark: 0x40, nat: [],
    });
  });

  it('finds the entry for the reply tuple of a SYN-ACK and the original tuple of an ACK, and nothing else', () => {
    const ct = natted();
    const reply: Established = { stage: 'SYN-ACK', ct, holder };
    const ack: Established = { stage: 'ACK', ct, holder };
    assert.ok(entryFor(reply, 'node:a', pkt('10.0.1.7', 8080, '172.18.0.2', 61000)));
    assert.equal(entryFor(reply, 'node:a', pkt('10.0.1.7', 8080, '10.0.0.1', 40000)), undefined);
    assert.equal(entryFor(reply, 'node:b', pkt('10.0.1.7', 8080, '172.18.0.2', 61000)), undefined);
    assert.ok(entryFor(ack, 'node:a', pkt('10.0.0.1', 40000, '10.96.0.10', 80)));
    assert.equal(entryFor(ack, 'node:a', pkt('172.18.0.2', 61000, '10.0.1.7', 8080)), undefined);
  });

  it('gives ESTABLISHED with the status bits to a tracked packet; INVALID to an untracked SYN-ACK, NEW to an untracked ACK', () => {
    const ct = natted();
    const entry = ct.entries.get('node:a');
    assert.deepEqual(ctStates({ stage: 'SYN-ACK', ct, holder, entry }), ['ESTABLISHED', 'DNAT', 'SNAT']);
    assert.deepEqual(ctStates({ stage: 'SYN-ACK', ct, holder }), ['INVALID']);
    assert.deepEqual(ctStates({ stage: 'ACK', ct, holder }), ['NEW']);
  });

  it('undoes NAT on the reply and repeats it on the ACK: destinations at PREROUTING/OUTPUT, sources at INPUT/POSTROUTING', () => {
    const ct = natted();
    const entry = ct.entries.get('node:a');
    const reply: Established = { stage: 'SYN-ACK', ct, holder, entry };
    const ack: Established = { stage: 'ACK', ct, holder, entry };
    assert.deepEqual(natRewrite(reply, 'prerouting'), { dst: '10.0.0.1', dport: 40000 });
    assert.deepEqual(natRewrite(reply, 'output'), { dst: '10.0.0.1', dport: 40000 });
    assert.deepEqual(natRewrite(reply, 'postrouting'), { src: '10.96.0.10', sport: 80 });
    assert.deepEqual(natRewrite(reply, 'input'), { src: '10.96.0.10', sport: 80 });
    assert.deepEqual(natRewrite(ack, 'prerouting'), { dst: '10.0.1.7', dport: 8080 });
    assert.deepEqual(natRewrite(ack, 'postrouting'), { src: '172.18.0.2', sport: 61000 });
    assert.equal(natRewrite(ack, 'forward'), undefined);
    assert.equal(natRewrite(reply, 'forward'), undefined);
  });

  it('rewrites nothing where the SYN was not NATed', () => {
    const ct = new Conntrack();
    ct.begin('pod:x', pkt('10.0.0.1', 40000, '10.0.1.7', 80));
    ct.end('pod:x', pkt('10.0.0.1', 40000, '10.0.1.7', 80));
    const entry = ct.entries.get('pod:x');
    for (const hook of ['prerouting', 'output', 'input', 'postrouting'] as const) {
      assert.equal(natRewrite({ stage: 'SYN-ACK', ct, holder, entry }, hook), undefined, hook);
      assert.equal(natRewrite({ stage: 'ACK', ct, holder, entry }, hook), undefined, hook);
    }
    assert.deepEqual(ctStates({ stage: 'ACK', ct, holder, entry }), ['ESTABLISHED']);
  });
});
