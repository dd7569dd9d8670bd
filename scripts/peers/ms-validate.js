#!/usr/bin/env node
// Validate Azure Pipelines YAML files with Microsoft's language service
// (npm `azure-pipelines-language-service`, the validator behind the VS Code extension)
// against Microsoft's YAML schema, the way the language server does it:
// parse(text, customTags) then doValidation(document, yamlDocument).
//
// Usage: node ms-validate.js [--schema FILE] PATH...
//   PATH: files or directories; directories are walked for *.yml / *.yaml
//   (node_modules and .git are skipped), in sorted order.
//   --schema FILE: the JSON schema (default: ../shared/data/service-schema.json
//   next to the project, i.e. <project>/../shared/data/service-schema.json).
// Output: one JSON line per finding on stdout:
//   {"path","line","column","endLine","endColumn","message","severity"}
//   lines and columns are 1-based (columns in UTF-16 code units, as LSP counts them);
//   severity is error | warning | information | hint.
// A summary (findings, files, elapsed time) goes to stderr. Exit code 0 unless the
// script itself fails (2).
'use strict';

const t0 = process.hrtime.bigint();
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

function usage(msg) {
  if (msg) process.stderr.write(`ms-validate: ${msg}\n`);
  process.stderr.write('usage: node ms-validate.js [--schema FILE] PATH...\n');
  process.exit(2);
}

let schemaPath = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'service-schema.json');
const inputs = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--schema') {
    if (i + 1 >= argv.length) usage('--schema needs a file');
    schemaPath = argv[++i];
  } else if (a.startsWith('--schema=')) {
    schemaPath = a.slice('--schema='.length);
  } else if (a === '-h' || a === '--help') {
    usage();
  } else if (a.startsWith('--')) {
    usage(`unknown option ${a}`);
  } else {
    inputs.push(a);
  }
}
if (inputs.length === 0) usage('no path given');

// The service logs its schema lookups with console.log; keep stdout for findings only.
console.log = () => {};
console.info = () => {};

const als = require('azure-pipelines-language-service');
const { TextDocument } = require('vscode-languageserver-textdocument');

let schemaText;
try {
  schemaText = fs.readFileSync(schemaPath, 'utf8');
} catch (e) {
  usage(`cannot read schema ${schemaPath}: ${e.message}`);
}
const schemaUri = pathToFileURL(path.resolve(schemaPath)).toString();
const schema = als.ParseSchema(schemaText);

// Same constructor arguments as the language server: schema request service, no
// contributions, no custom schema provider (every file gets the schema by file pattern),
// a workspace context that resolves relative $refs.
const service = als.getLanguageService(
  (uri) => Promise.reject(new Error(`no schema at ${uri}`)),
  [],
  null,
  { resolveRelativePath: (rel, resource) => new URL(rel, resource).toString() },
);
service.configure({
  validate: true,
  schemas: [{ uri: schemaUri, fileMatch: ['*'], schema }],
  customTags: [],
});

function walk(p, out) {
  let st;
  try {
    st = fs.statSync(p);
  } catch (e) {
    usage(`no such path: ${p}`);
  }
  if (st.isDirectory()) {
    const entries = fs.readdirSync(p, { withFileTypes: true })
      .map((d) => d.name)
      .sort();
    for (const name of entries) {
      if (name === 'node_modules' || name === '.git') continue;
      const child = path.join(p, name);
      const cst = fs.statSync(child);
      if (cst.isDirectory()) walk(child, out);
      else if (/\.ya?ml$/i.test(name)) out.push(child);
    }
  } else {
    out.push(p);
  }
}

const files = [];
for (const p of inputs) walk(p, files);

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

async function validateFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (text.length === 0) return [];
  const uri = pathToFileURL(path.resolve(file)).toString();
  const doc = TextDocument.create(uri, 'azure-pipelines', 1, text);
  const yamlDoc = als.parse(text, []);
  for (const d of yamlDoc.documents) d.configureSettings({ isKubernetes: false });
  const diags = await service.doValidation(doc, yamlDoc);
  return als.removeDuplicatesObj(diags);
}

(async () => {
  let total = 0;
  const bySeverity = {};
  let withFindings = 0;
  let crashed = 0;
  const out = [];
  for (const file of files) {
    let diags;
    try {
      diags = await validateFile(file);
    } catch (e) {
      crashed++;
      process.stderr.write(`ms-validate: ${file}: the service failed: ${e && e.message}\n`);
      continue;
    }
    if (diags.length) withFindings++;
    for (const d of diags) {
      const severity = SEVERITY[d.severity] || 'error';
      bySeverity[severity] = (bySeverity[severity] || 0) + 1;
      total++;
      out.push(JSON.stringify({
        path: file,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        message: d.message,
        severity,
      }));
    }
    if (out.length >= 1000) {
      process.stdout.write(out.join('\n') + '\n');
      out.length = 0;
    }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const sev = Object.entries(bySeverity).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
  process.stderr.write(
    `${total} findings (${sev}) in ${withFindings} of ${files.length} files` +
    (crashed ? `, ${crashed} files the service failed on` : '') +
    `; elapsed ${secs.toFixed(2)} s\n`,
  );
})().catch((e) => {
  process.stderr.write(`ms-validate: ${e && e.stack || e}\n`);
  process.exit(2);
});
