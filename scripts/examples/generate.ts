/**
 * Regenerates the example snapshots under examples/: `generate.ts [name…]` (all examples by default).
 * The kernel-made files come from real network namespaces built by kernel.ts (needs root); the
 * Kubernetes lists and proxy config dumps come from proxies.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeKernelFiles } from './kernel.ts';
import { EXAMPLES, type ExampleSpec } from './topology.ts';

type WriteProxyFiles = (spec: ExampleSpec, outDir: string) => Promise<void>;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** proxies.ts is written separately; without it the kernel files are still worth having. */
async function loadProxyWriter(): Promise<WriteProxyFiles | undefined> {
  try {
    const mod = (await import('./proxies.ts')) as { writeProxyFiles: WriteProxyFiles };
    return mod.writeProxyFiles;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(err).includes('proxies.ts')) return undefined;
    throw err;
  }
}

function select(names: string[]): ExampleSpec[] {
  const unknown = names.filter((n) => !EXAMPLES.some((e) => e.name === n));
  if (unknown.length) throw new Error(`unknown example(s): ${unknown.join(', ')}; known: ${EXAMPLES.map((e) => e.name).join(', ')}`);
  return names.length ? EXAMPLES.filter((e) => names.includes(e.name)) : EXAMPLES;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('generating the examples needs root: it creates network namespaces');
  const specs = select(process.argv.slice(2));
  const writeProxyFiles = await loadProxyWriter();
  for (const spec of specs) {
    const outDir = path.join(root, 'examples', spec.name);
    writeKernelFiles(spec, outDir);
    if (writeProxyFiles) await writeProxyFiles(spec, outDir);
    console.log(`examples/${spec.name}: kernel files${writeProxyFiles ? ', proxy and Kubernetes files' : ''} written`);
  }
  if (!writeProxyFiles) console.log('scripts/examples/proxies.ts not found: the Kubernetes lists and Envoy/ztunnel dumps were not written');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
