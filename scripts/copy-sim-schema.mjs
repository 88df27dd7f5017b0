// Part of `npm run build`: tsc copies no JSON, and the compiled simulator reads its API schema at
// run time from ../schema/ beside dist/sim/server/api-schema.js. Usage: node scripts/copy-sim-schema.mjs [OUT_DIR]
import { cpSync } from 'node:fs';
import { join } from 'node:path';

const outDir = process.argv[2] ?? 'dist';
cpSync('src/sim/schema', join(outDir, 'sim', 'schema'), { recursive: true });
