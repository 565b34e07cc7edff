// Bundles the CLI into dist/ so a cold start reads one file instead of hundreds of modules.
// Heavy modules (the Kubernetes client, ink/react) stay behind dynamic imports and land in their own chunks.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: { 'istio-path': 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  jsx: 'automatic',
  logLevel: 'warning',
  define: { __IPATH_VERSION__: JSON.stringify(version) },
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  // ink imports React DevTools' client only when DEV=true; it is not a dependency, so it stays a bare import.
  external: ['react-devtools-core'],
  banner: { js: "import { createRequire as __ipathRequire } from 'node:module'; const require = __ipathRequire(import.meta.url);" },
});
