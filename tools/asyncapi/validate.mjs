#!/usr/bin/env node
// Validates AsyncAPI documents with the official JavaScript parser, @asyncapi/parser, with the Avro
// schema parser (@asyncapi/avro-schema-parser) registered to turn Avro payloads into AsyncAPI
// schemas. For AsyncAPI 3 the parser does not run a schema parser's own validation (its v3 ruleset
// has no such rule), so this script then validates every Avro payload, and the Avro key of a
// message's Kafka binding, with the Avro schema parser's validate() (avsc), as the AsyncAPI CLI
// proposes to (asyncapi/cli#1833).
//
//   node validate.mjs FILE...
//
// Prints one JSON object per file on its own line:
//   {"file": FILE, "valid": true|false, "diagnostics": [{"severity", "code", "message", "path"}]}
// A file is valid when the parser returns a document and no diagnostic is an error or a warning.
// Exit status: 0 every file valid, 1 some file not valid, 2 usage or unreadable file.
import { readFile } from "node:fs/promises";

import { AvroSchemaParser } from "@asyncapi/avro-schema-parser";
import { DiagnosticSeverity, Parser } from "@asyncapi/parser";

const SEVERITY = {
  [DiagnosticSeverity.Error]: "error",
  [DiagnosticSeverity.Warning]: "warning",
  [DiagnosticSeverity.Information]: "information",
  [DiagnosticSeverity.Hint]: "hint",
};
const FAILING = new Set([DiagnosticSeverity.Error, DiagnosticSeverity.Warning]);
const avro = AvroSchemaParser();
const AVRO_FORMATS = new Set(avro.getMimeTypes());

function pointerPath(pointer) {
  return pointer.split("/").slice(1).map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

// Diagnostics (as the parser's) for the Avro schemas of the document's messages.
async function avroDiagnostics(document) {
  const found = [];
  for (const message of document.allMessages()) {
    const json = message.json();
    if (!AVRO_FORMATS.has(message.schemaFormat())) continue;
    const base = pointerPath(message.meta().pointer ?? `/components/messages/${message.id()}`);
    const payload = json.payload?.["x-parser-original-payload"] ?? json.payload?.schema;
    const schemas = [[payload, [...base, "payload", "schema"]]];
    const key = json.bindings?.kafka?.key;
    if (key !== undefined) schemas.push([key, [...base, "bindings", "kafka", "key"]]);
    for (const [data, path] of schemas) {
      for (const problem of await avro.validate({ data, path })) {
        found.push({ severity: DiagnosticSeverity.Error, code: "avro-schema", message: problem.message, path });
      }
    }
  }
  return found;
}

async function check(parser, file) {
  const text = await readFile(file, "utf8");
  const parsed = await parser.parse(text, { source: file });
  const document = parsed.document;
  const diagnostics = [...parsed.diagnostics, ...(document ? await avroDiagnostics(document) : [])];
  const failing = diagnostics.filter((diagnostic) => FAILING.has(diagnostic.severity));
  return {
    file,
    valid: document !== undefined && failing.length === 0,
    diagnostics: diagnostics.map((diagnostic) => ({
      severity: SEVERITY[diagnostic.severity] ?? String(diagnostic.severity),
      code: String(diagnostic.code),
      message: diagnostic.message,
      path: diagnostic.path.map(String),
    })),
  };
}

async function main(files) {
  if (files.length === 0) {
    process.stderr.write("usage: node validate.mjs FILE...\n");
    return 2;
  }
  const parser = new Parser({ schemaParsers: [avro] });
  let status = 0;
  for (const file of files) {
    let result;
    try {
      result = await check(parser, file);
    } catch (error) {
      process.stderr.write(`${file}: cannot be read (${error.message})\n`);
      return 2;
    }
    process.stdout.write(JSON.stringify(result) + "\n");
    if (!result.valid) status = 1;
  }
  return status;
}

process.exitCode = await main(process.argv.slice(2));
