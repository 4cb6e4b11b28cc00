// Writes tests/vectors/actions-core.json: what the real @actions/core prints for hostile text.
// Usage (see README.md):
//   npm install --prefix "$DIR" @actions/core@3.0.1
//   node tests/vectors/actions-core.mjs "$DIR" > tests/vectors/actions-core.json
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(process.argv[2], 'node_modules', '@actions', 'core');
const core = await import(pathToFileURL(join(root, 'lib', 'core.js')).href);
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

// every line core writes to stdout while `fn` runs
function capture(fn) {
  const lines = [];
  const write = process.stdout.write;
  process.stdout.write = (chunk) => { lines.push(String(chunk)); return true; };
  try { fn(); } finally { process.stdout.write = write; }
  return lines.join('').split('\n').filter((l) => l !== '');
}

const HOSTILE = [
  '', ' ', '%', '%%', '%25', '%0A', '%0D', '%3A', '%2C', '%%0A0A', ':', '::', ',', '=', 'a=b',
  '\r', '\n', '\r\n', '\n\r', 'line1\nline2', '100% :: done\r', 'title=x,file=y',
  '::set-env name=x::y', '\n::set-env name=PATH::/tmp', '::stop-commands::x', '::add-mask::secret',
  '##[error]x', 'a ##[set-env name=x;]y', '::error file=a.py,line=1::forged',
  'ü ünïcödé', '日本語', '😀 emoji', '\u2028 line separator', '\u0085 next line', '\u202e rtl',
  '\t tab', '\u0000 nul', '\u001b[31m red', '\udc80 lone surrogate', ' lead and trail ',
  'RG001: a, b', 'src/a,b:c.py', 'C:\\path\\file.py', '%0D%0A::warning::x',
];

const escapes = HOSTILE.map((input) => {
  const [data] = capture(() => core.notice(input));
  const [prop] = capture(() => core.notice('x', { title: input }));
  const prefix = '::notice title=';
  return {
    input,
    data: data.slice('::notice::'.length),
    property: prop.startsWith(prefix) ? prop.slice(prefix.length, prop.length - '::x'.length) : null,
  };
});

const ANNOTATIONS = [
  ['error', 'line1\nline2 100% :: done\r', { title: 'RG001: a, b', file: 'src/a,b:c.py', startLine: 42, endLine: 44 }],
  ['warning', 'msg', { file: 'x.py', startLine: 0, startColumn: 3 }],
  ['notice', 'n', { file: 'y.py', startLine: 7, startColumn: 5, endColumn: 9 }],
  ['error', '::set-env name=x::y\n##[error]forged', { title: 'BLOCK r: ::stop-commands::t', file: 'dir with space/ü,:.py', startLine: 3, endLine: 3, startColumn: 2, endColumn: 8 }],
  ['warning', '', { title: '', file: '' }],
];
const annotations = ANNOTATIONS.map(([kind, message, properties]) => ({
  kind, message, properties, line: capture(() => core[kind](message, properties))[0],
}));

process.stdout.write(JSON.stringify({
  generator: 'tests/vectors/actions-core.mjs', package: `@actions/core@${version}`,
  node: process.version, escapes, annotations,
}, null, 2) + '\n');
