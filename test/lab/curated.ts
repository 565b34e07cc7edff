/**
 * `node --import tsx test/lab/curated.ts`: cases written by hand to pin one kernel behaviour each,
 * run in the lab and kept under `regressions/` with what the kernel did, beside the random ones.
 * Rerun it when a case changes; `npm run lab:verify` and the regression tests replay them all.
 */
import path from 'node:path';
import { labUnavailable } from './lab.ts';
import { DifferentialLab, writeRegression, type RandomCase } from './random.ts';
import { REGRESSIONS } from './regressions.ts';

interface Curated {
  name: string;
  title: string;
  case: Omit<RandomCase, 'seed'>;
}

const blackholeFor1 = { ipRules: [['pref', '100', 'fwmark', '0x1/0x1', 'lookup', '100']], routes: [['blackhole', 'default', 'table', '100']] };

const CURATED: Curated[] = [
  {
    name: 'syn-ack-established-mark',
    title: 'the SYN is accepted, but mangle OUTPUT marks the ESTABLISHED SYN-ACK into a blackhole route: the connection never opens',
    case: {
      rules: '*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -m conntrack --ctstate ESTABLISHED -j MARK --set-xmark 0x1/0x1\nCOMMIT\n',
      ...blackholeFor1,
      connections: [{ from: 'node', uid: 0, mark: 0, dst: '10.244.1.5', dport: 80 }],
    },
  },
  {
    name: 'syn-ack-connmark-restored',
    title: 'a connmark set by the SYN in PREROUTING is restored onto the SYN-ACK in mangle OUTPUT, which re-routes it into a blackhole',
    case: {
      rules: '*mangle\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -m conntrack --ctstate NEW -j CONNMARK --set-xmark 0x1/0x1\n-A OUTPUT -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff\nCOMMIT\n',
      ...blackholeFor1,
      connections: [{ from: 'node', uid: 0, mark: 0, dst: '10.244.1.5', dport: 8080 }],
    },
  },
  {
    name: 'syn-ack-denat-before-input',
    title: 'a REDIRECTed connection\'s SYN-ACK gets its original source back at POSTROUTING, so filter INPUT sees it coming from the address the app dialled',
    case: {
      rules: '*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -d 10.244.1.1/32 --dport 80 -j REDIRECT --to-ports 15001\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -s 10.244.1.1/32 --sport 80 -j DROP\nCOMMIT\n',
      ipRules: [],
      routes: [],
      connections: [{ from: 'pod', uid: 1000, mark: 0, dst: '10.244.1.1', dport: 80 }],
    },
  },
  {
    name: 'syn-ack-listener-mark',
    title: 'a listener with SO_MARK 0x1 sends its SYN-ACKs with that mark, and an fwmark rule routes them into a blackhole: the connection never opens',
    case: {
      rules: '*filter\nCOMMIT\n',
      ...blackholeFor1,
      connections: [{ from: 'node', uid: 0, mark: 0, dst: '10.244.1.5', dport: 8443 }],
    },
  },
  {
    name: 'ack-dropped',
    title: 'the handshake\'s ACK is dropped by filter INPUT as ESTABLISHED: the client connects, the server never accepts',
    case: {
      rules: '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 8080 -m conntrack --ctstate ESTABLISHED -j DROP\nCOMMIT\n',
      ipRules: [],
      routes: [],
      connections: [{ from: 'node', uid: 0, mark: 0, dst: '10.244.1.5', dport: 8080 }],
    },
  },
];

async function main(): Promise<number> {
  const unavailable = labUnavailable();
  if (unavailable) {
    console.log(unavailable);
    return 1;
  }
  const lab = new DifferentialLab();
  let disagreements = 0;
  try {
    await lab.start();
    for (const c of CURATED) {
      const [r] = await lab.run({ seed: 0, ...c.case });
      const file = writeRegression(REGRESSIONS, r, c.name, c.title);
      const d = r.judgement.differences;
      disagreements += d.length ? 1 : 0;
      console.log(`${d.length ? 'DISAGREE' : 'agree   '} ${path.relative(process.cwd(), file)}${d.length ? `\n  ${d.join('\n  ')}` : ''}`);
    }
  } finally {
    lab.stop();
  }
  return disagreements ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
