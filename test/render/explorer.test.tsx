import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { Explorer } from '../../src/render/explorer/app.tsx';
import { EXPLORER_TRACE } from './explorer-fixture.ts';

// ink draws at most every ~33 ms; a keystroke's frame is on screen well within this.
const settle = () => new Promise((res) => setTimeout(res, 100));

/** Each keystroke (name, bytes) in turn, and the whole frame it leaves on a 100-column screen. */
const STEPS: [string, string, string[]][] = [
  ["start", "", [
    "ns/a-1 → ns/b:80  path 1/2: unknown — the sidecar's config is not in the snapshot",
    "┌────────────────────────────────────────┐┌────────────────────────────────────────────────────────┐",
    "│›✓  1 app      container a              ││ hop 1  app  observed                                   │",
    "│ ✓  2 kernel   iptables nat/OUTPUT      ││ pod:ns/a-1                                             │",
    "│ ~  3 sidecar  socket 0.0.0.0:15001     ││ container a                                            │",
    "│                                        ││ leg 1 TCP  a-1 (a) → a-1 (sidecar)                     │",
    "│                                        ││ connect() to 10.96.0.10:80                             │",
    "│                                        ││ before tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ after  tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ evidence                                               │",
    "│                                        ││ • k8s/pods.json#/items/0  pod ns/a-1 10.0.0.1          │",
    "└────────────────────────────────────────┘└────────────────────────────────────────────────────────┘",
    "↑/↓ move  enter expand  a alternative path  q quit",
  ]],
  ["↓", "\u001b[B", [
    "ns/a-1 → ns/b:80  path 1/2: unknown — the sidecar's config is not in the snapshot",
    "┌────────────────────────────────────────┐┌────────────────────────────────────────────────────────┐",
    "│ ✓  1 app      container a              ││ hop 2  kernel  observed                                │",
    "│›✓  2 kernel   iptables nat/OUTPUT      ││ pod:ns/a-1                                             │",
    "│ ~  3 sidecar  socket 0.0.0.0:15001     ││ iptables nat/OUTPUT                                    │",
    "│                                        ││ leg 1 TCP  a-1 (a) → a-1 (sidecar)                     │",
    "│                                        ││ REDIRECT to port 15001                                 │",
    "│                                        ││ before tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ after  tcp 10.0.0.1:40000 → 127.0.0.1:15001  mark 0x1  │",
    "│                                        ││ evidence                                               │",
    "│                                        ││ • pods/ns/a-1/iptables-save.txt:3  -A OUTPUT -p tcp -… │",
    "│                                        ││ • pods/ns/a-1/iptables-save.txt:4  -A OUTPUT -j ACCEPT │",
    "│                                        ││ … 1 more (enter)                                       │",
    "└────────────────────────────────────────┘└────────────────────────────────────────────────────────┘",
    "↑/↓ move  enter expand  a alternative path  q quit",
  ]],
  ["enter", "\r", [
    "ns/a-1 → ns/b:80  path 1/2: unknown — the sidecar's config is not in the snapshot",
    "┌────────────────────────────────────────┐┌────────────────────────────────────────────────────────┐",
    "│ ✓  1 app      container a              ││ hop 2  kernel  observed                                │",
    "│›✓  2 kernel   iptables nat/OUTPUT      ││ pod:ns/a-1                                             │",
    "│ ~  3 sidecar  socket 0.0.0.0:15001     ││ iptables nat/OUTPUT                                    │",
    "│                                        ││ leg 1 TCP  a-1 (a) → a-1 (sidecar)                     │",
    "│                                        ││ REDIRECT to port 15001                                 │",
    "│                                        ││ before tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ after  tcp 10.0.0.1:40000 → 127.0.0.1:15001  mark 0x1  │",
    "│                                        ││ evidence                                               │",
    "│                                        ││ • pods/ns/a-1/iptables-save.txt:3  -A OUTPUT -p tcp -j │",
    "│                                        ││    REDIRECT --to-ports 15001                           │",
    "│                                        ││ • pods/ns/a-1/iptables-save.txt:4  -A OUTPUT -j ACCEPT │",
    "│                                        ││ • pods/ns/a-1/ip-rule.json#/0  0: from all lookup loca │",
    "│                                        ││   l                                                    │",
    "└────────────────────────────────────────┘└────────────────────────────────────────────────────────┘",
    "↑/↓ move  enter collapse  a alternative path  q quit",
  ]],
  ["↓", "\u001b[B", [
    "ns/a-1 → ns/b:80  path 1/2: unknown — the sidecar's config is not in the snapshot",
    "┌────────────────────────────────────────┐┌────────────────────────────────────────────────────────┐",
    "│ ✓  1 app      container a              ││ hop 3  sidecar  inferred                               │",
    "│ ✓  2 kernel   iptables nat/OUTPUT      ││ pod:ns/a-1                                             │",
    "│›~  3 sidecar  socket 0.0.0.0:15001     ││ socket 0.0.0.0:15001                                   │",
    "│                                        ││ leg 1 TCP  a-1 (a) → a-1 (sidecar)                     │",
    "│                                        ││ accept connection                                      │",
    "│                                        ││ before tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ after  tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ evidence                                               │",
    "│                                        ││ • pods/ns/a-1/sockets.txt (missing)                    │",
    "└────────────────────────────────────────┘└────────────────────────────────────────────────────────┘",
    "↑/↓ move  enter expand  a alternative path  q quit",
  ]],
  ["↓ at the last hop", "\u001b[B", [
    "ns/a-1 → ns/b:80  path 1/2: unknown — the sidecar's config is not in the snapshot",
    "┌────────────────────────────────────────┐┌────────────────────────────────────────────────────────┐",
    "│ ✓  1 app      container a              ││ hop 3  sidecar  inferred                               │",
    "│ ✓  2 kernel   iptables nat/OUTPUT      ││ pod:ns/a-1                                             │",
    "│›~  3 sidecar  socket 0.0.0.0:15001     ││ socket 0.0.0.0:15001                                   │",
    "│                                        ││ leg 1 TCP  a-1 (a) → a-1 (sidecar)                     │",
    "│                                        ││ accept connection                                      │",
    "│                                        ││ before tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ after  tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ evidence                                               │",
    "│                                        ││ • pods/ns/a-1/sockets.txt (missing)                    │",
    "└────────────────────────────────────────┘└────────────────────────────────────────────────────────┘",
    "↑/↓ move  enter expand  a alternative path  q quit",
  ]],
  ["↑", "\u001b[A", [
    "ns/a-1 → ns/b:80  path 1/2: unknown — the sidecar's config is not in the snapshot",
    "┌────────────────────────────────────────┐┌────────────────────────────────────────────────────────┐",
    "│ ✓  1 app      container a              ││ hop 2  kernel  observed                                │",
    "│›✓  2 kernel   iptables nat/OUTPUT      ││ pod:ns/a-1                                             │",
    "│ ~  3 sidecar  socket 0.0.0.0:15001     ││ iptables nat/OUTPUT                                    │",
    "│                                        ││ leg 1 TCP  a-1 (a) → a-1 (sidecar)                     │",
    "│                                        ││ REDIRECT to port 15001                                 │",
    "│                                        ││ before tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ after  tcp 10.0.0.1:40000 → 127.0.0.1:15001  mark 0x1  │",
    "│                                        ││ evidence                                               │",
    "│                                        ││ • pods/ns/a-1/iptables-save.txt:3  -A OUTPUT -p tcp -… │",
    "│                                        ││ • pods/ns/a-1/iptables-save.txt:4  -A OUTPUT -j ACCEPT │",
    "│                                        ││ … 1 more (enter)                                       │",
    "└────────────────────────────────────────┘└────────────────────────────────────────────────────────┘",
    "↑/↓ move  enter expand  a alternative path  q quit",
  ]],
  ["a", "a", [
    "ns/a-1 → ns/b:80  path 2/2: statistic rule line 5 not taken",
    "┌────────────────────────────────────────┐┌────────────────────────────────────────────────────────┐",
    "│›✓  1 app      container a              ││ hop 1  app  observed                                   │",
    "│ ✓  2 kernel   iptables nat/OUTPUT \\x1b…││ pod:ns/a-1                                             │",
    "│                                        ││ container a                                            │",
    "│                                        ││ connect() to 10.96.0.10:80                             │",
    "│                                        ││ before tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ after  tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ evidence                                               │",
    "└────────────────────────────────────────┘└────────────────────────────────────────────────────────┘",
    "↑/↓ move  enter expand  a alternative path  q quit",
  ]],
  ["j", "j", [
    "ns/a-1 → ns/b:80  path 2/2: statistic rule line 5 not taken",
    "┌────────────────────────────────────────┐┌────────────────────────────────────────────────────────┐",
    "│ ✓  1 app      container a              ││ hop 2  kernel  observed                                │",
    "│›✓  2 kernel   iptables nat/OUTPUT \\x1b…││ pod:ns/a-1                                             │",
    "│                                        ││ iptables nat/OUTPUT \\x1b[31mred                        │",
    "│                                        ││ ACCEPT                                                 │",
    "│                                        ││ before tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ after  tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ evidence                                               │",
    "└────────────────────────────────────────┘└────────────────────────────────────────────────────────┘",
    "↑/↓ move  enter expand  a alternative path  q quit",
  ]],
  ["a", "a", [
    "ns/a-1 → ns/b:80  path 1/2: unknown — the sidecar's config is not in the snapshot",
    "┌────────────────────────────────────────┐┌────────────────────────────────────────────────────────┐",
    "│›✓  1 app      container a              ││ hop 1  app  observed                                   │",
    "│ ✓  2 kernel   iptables nat/OUTPUT      ││ pod:ns/a-1                                             │",
    "│ ~  3 sidecar  socket 0.0.0.0:15001     ││ container a                                            │",
    "│                                        ││ leg 1 TCP  a-1 (a) → a-1 (sidecar)                     │",
    "│                                        ││ connect() to 10.96.0.10:80                             │",
    "│                                        ││ before tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ after  tcp 10.0.0.1:40000 → 10.96.0.10:80  mark 0x0    │",
    "│                                        ││ evidence                                               │",
    "│                                        ││ • k8s/pods.json#/items/0  pod ns/a-1 10.0.0.1          │",
    "└────────────────────────────────────────┘└────────────────────────────────────────────────────────┘",
    "↑/↓ move  enter expand  a alternative path  q quit",
  ]],
];

describe('trace -i: the explorer', () => {
  it('moves, expands evidence and switches paths frame by frame', async () => {
    const r = render(<Explorer trace={EXPLORER_TRACE} />);
    try {
      await settle();
      for (const [name, key, frame] of STEPS) {
        if (key) {
          r.stdin.write(key);
          await settle();
        }
        assert.equal(r.lastFrame(), frame.join('\n'), `frame after ${name}`);
      }
    } finally {
      r.unmount();
    }
  });

  it('q quits: later keystrokes draw nothing', async () => {
    const r = render(<Explorer trace={EXPLORER_TRACE} />);
    await settle();
    r.stdin.write('q');
    await settle();
    const frames = r.frames.length;
    r.stdin.write('\u001B[B');
    await settle();
    assert.equal(r.frames.length, frames);
    r.unmount();
  });
});
