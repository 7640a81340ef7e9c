// Regenerates grammar/cst.ts (the CST node types) from the parser's grammar.
// Run `npm run gen:cst` after changing a rule; a test fails while the file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cstDtsText } from '../grammar/cst-dts.ts';

const out = fileURLToPath(new URL('../grammar/cst.ts', import.meta.url));
writeFileSync(out, cstDtsText());
console.log(`wrote ${out}`);
