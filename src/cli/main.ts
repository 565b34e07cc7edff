import { run, displayName } from './program.ts';
import { processIo } from './io.ts';

process.exitCode = await run(process.argv.slice(2), processIo(), displayName(process.argv[1]));
