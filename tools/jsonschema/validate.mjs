#!/usr/bin/env node
// Validates JSON instances against JSON Schemas (2020-12) with ajv in its default options (strict
// mode: an unknown keyword or format is an error when the schema compiles) and ajv-formats for
// "uuid" and "date-time".
//
//   node validate.mjs CASES.json
//
// CASES.json: {"schemas": {NAME: SCHEMA}, "cases": [{"schema": NAME, "data": INSTANCE}]}
// Prints one JSON object: {"schemas": {NAME: null | "compile error"}, "cases": [{"valid", "errors"}]}.
// Exit status: 0 every schema compiled and every case ran, 1 a schema did not compile, 2 usage.
import { readFile } from "node:fs/promises";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

async function main(args) {
  if (args.length !== 1) {
    process.stderr.write("usage: node validate.mjs CASES.json\n");
    return 2;
  }
  const { schemas, cases } = JSON.parse(await readFile(args[0], "utf8"));
  const compiled = {};
  const problems = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const ajv = new Ajv2020();  // the defaults: strict mode on
    addFormats(ajv);
    try {
      compiled[name] = ajv.compile(schema);
      problems[name] = null;
    } catch (error) {
      problems[name] = error.message;
    }
  }
  const results = cases.map(({ schema, data }) => {
    const validate = compiled[schema];
    if (validate === undefined) return { valid: null, errors: [] };
    const valid = validate(data);
    return { valid, errors: (validate.errors ?? []).map((e) => ({ path: e.instancePath, keyword: e.keyword })) };
  });
  process.stdout.write(JSON.stringify({ schemas: problems, cases: results }) + "\n");
  return Object.values(problems).some((p) => p !== null) ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
