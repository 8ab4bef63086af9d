// What joining a published relation (people's recordsSeen) costs the application, next to
// naming the table: building the relation and rendering the SQL text, per query, in µs.
// `node --import tsx bench/published-relations.ts`
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { recordsSeen, recordsSeenSql } from '../src/modules/people/store.ts';

const dialect = new PgDialect();
const rounds = 20_000;
const time = (label: string, work: () => void) => {
  for (let i = 0; i < 1000; i += 1) work();
  const begin = performance.now();
  for (let i = 0; i < rounds; i += 1) work();
  const micros = ((performance.now() - begin) / rounds) * 1000;
  process.stdout.write(`| ${label} | ${micros.toFixed(1)} |\n`);
};
process.stdout.write('| query text | µs per query |\n| --- | ---: |\n');
time('naming the table: `join person_records r`', () =>
  dialect.sqlToQuery(sql`select r.preferred_name from x join person_records r on r.id = x.record_id`),
);
time("the published relation, rendered once: `join ${recordsSeenSql('r')}`", () =>
  dialect.sqlToQuery(sql`select r.preferred_name from x join ${recordsSeenSql('r')} on r.id = x.record_id`),
);
time('the relation as a query-builder subquery, rendered each time', () =>
  dialect.sqlToQuery(sql`select r.preferred_name from x join ${recordsSeen('r')} on r.id = x.record_id`),
);
