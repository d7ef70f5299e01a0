// Validates a JSON document (on stdin) against a JSON Schema with ajv (draft-07, as Helm reads values.schema.json),
// with the standard formats (date-time, ...) from ajv-formats.
// Usage: node validate-values.cjs values.schema.json < values.json
// Exit 0: valid. Exit 1: invalid, the errors as JSON on stdout. Exit 2: the schema itself is not valid or not strict.
'use strict';
const fs = require('fs');
const ajvModule = require('ajv');
const Ajv = ajvModule.default || ajvModule;

const schema = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const data = JSON.parse(fs.readFileSync(0, 'utf8'));
const formatsModule = require('ajv-formats');
const addFormats = formatsModule.default || formatsModule;
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
let validate;
try {
  validate = ajv.compile(schema);
} catch (e) {
  process.stderr.write('schema: ' + e.message + '\n');
  process.exit(2);
}
if (validate(data)) {
  process.stdout.write('valid\n');
  process.exit(0);
}
process.stdout.write(JSON.stringify(validate.errors) + '\n');
process.exit(1);
