// Lints the OpenAPI document the app serves (Redocly's recommended rules): part of `npm run lint`.
// Given a file name, also writes the document there (to compare two versions of the API).
// The app is built without a database: pools connect only when asked, and nothing asks.
import { writeFileSync } from 'node:fs';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { buildApp } from '../src/app.ts';
import { readConfig } from '../src/platform/config.ts';
import { connect } from '../src/platform/db/index.ts';

const nowhere = 'postgres://nobody:nothing@127.0.0.1:9/none';
const databases = connect(nowhere, { appUrl: nowhere });
const app = await buildApp({ config: readConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS: 'false' }), databases });
await app.ready();
const document = app.swagger();
await app.close();
await databases.close();
const out = process.argv[2];
if (out) writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);

const config = await createConfig({ extends: ['recommended'] });
const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
// A warning fails the lint too: the document has none, and none may come back unnoticed.
const errors = problems.filter((problem) => problem.severity === 'error');
for (const problem of problems)
  process.stderr.write(
    `${problem.severity} ${problem.ruleId}: ${problem.message} (${problem.location[0]?.pointer ?? ''})\n`,
  );
const operations = Object.values((document as { paths?: Record<string, object> }).paths ?? {}).reduce(
  (count, path) => count + Object.keys(path).length,
  0,
);
process.stdout.write(
  `OpenAPI document: ${operations} operations, ${errors.length} errors, ${problems.length - errors.length} warnings (Redocly recommended rules)\n`,
);
process.exit(problems.length ? 1 : 0);
