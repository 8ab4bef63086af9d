// The pages and API reads the benchmarks measure, each held to the number of statements its route
// declares (`config.queryBudget`, beside the route), with more rows on the page than at first:
// a page that starts asking once per row (an N+1) fails here rather than in a benchmark weeks later.
// Counted from the Server-Timing header every response carries; `begin`, `commit` and the
// session's own statements count, since each is a round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personEverywhere } from '../support/everywhere.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const context = useFixtureApp();
const as = callers(() => context.test.app);

interface Measured {
  route: string;
  queries: number[];
}

/** The statements a response says it sent. */
function queriesOf(header: string | string[] | number | undefined): number {
  const found = /queries;desc="(\d+)"/.exec(String(header));
  if (!found?.[1]) throw new Error(`no query count in Server-Timing: ${String(header)}`);
  return Number(found[1]);
}

/** Each benchmarked read: who asks, and the address (`{c}` is the community's slug). */
function reads() {
  const { fixture } = context;
  return [
    { as: 'member', kind: 'page', url: '/c/{c}' },
    { as: 'member', kind: 'page', url: '/c/{c}/timebank/posts?q=garden' },
    { as: 'member', kind: 'api', url: '/api/v1/communities/{c}/timebank/offers?q=garden&limit=20' },
    { as: 'member', kind: 'page', url: '/c/{c}/timebank/statement' },
    { as: 'coordinator', kind: 'page', url: '/c/{c}/timebank/reports' },
    { as: 'coordinator', kind: 'api', url: '/api/v1/communities/{c}/timebank/reports/summary' },
    { as: 'coordinator', kind: 'page', url: '/c/{c}/referrals' },
    { as: 'coordinator', kind: 'page', url: '/c/{c}/referrals?status=open&overdue=yes' },
    { as: 'coordinator', kind: 'api', url: '/api/v1/communities/{c}/referrals?status=open&limit=25' },
    { as: 'facilitator', kind: 'page', url: `/c/{c}/network/meetings/${fixture.alphaMeetingId}/register` },
    { as: 'facilitator', kind: 'api', url: `/api/v1/communities/{c}/meetings/${fixture.alphaMeetingId}/attendance` },
    { as: 'coordinator', kind: 'page', url: `/c/{c}/hub/review-meetings/${fixture.alphaReviewMeetingId}` },
    { as: 'coordinator', kind: 'api', url: `/api/v1/communities/{c}/review-meetings/${fixture.alphaReviewMeetingId}` },
  ] as const;
}

const measured = new Map<string, Measured>();

async function measureAll() {
  const { fixture, test } = context;
  const visitors = new Map<string, Awaited<ReturnType<typeof as.signedIn>>>();
  const tokens = new Map<string, string>();
  for (const read of reads()) {
    const url = read.url.replace('{c}', fixture.alpha.slug);
    let answer;
    if (read.kind === 'page') {
      const visitor = visitors.get(read.as) ?? (await as.signedIn(fixture.emailFor(read.as)));
      visitors.set(read.as, visitor);
      await visitor.get(url); // the first request of a session may refresh it; count the second
      answer = await visitor.get(url);
    } else {
      const token = tokens.get(read.as) ?? (await as.tokenFor(fixture.emailFor(read.as)));
      tokens.set(read.as, token);
      await as.call(token, 'GET', url);
      answer = await as.call(token, 'GET', url);
    }
    expect(answer.statusCode, `${read.as} GET ${url}`).toBe(200);
    const route = test.app.routeCatalogue.find(
      (entry) =>
        entry.method === 'GET' &&
        new RegExp(`^${entry.url.replace(/:[A-Za-z]+/g, '[^/]+')}$`).test(url.split('?')[0] ?? ''),
    );
    const key = `${read.as} GET ${read.url}`;
    const entry = measured.get(key) ?? { route: route?.url ?? '(none)', queries: [] };
    entry.queries.push(queriesOf(answer.headers['server-timing']));
    measured.set(key, entry);
  }
}

beforeAll(async () => {
  await measureAll();
  // Five more people in every list these pages show: referrals, the register, the agenda, the time bank.
  for (const name of ['Bea', 'Cal', 'Dee', 'Eli', 'Fay'])
    await personEverywhere(context.test.database.owner, context.fixture, name, `${name.toLowerCase()}word`);
  await measureAll();
});

describe('the query budget', () => {
  it('no benchmarked page or API read sends more statements with more rows on it', () => {
    const grew = [...measured].filter(([, entry]) => (entry.queries[1] ?? 0) > (entry.queries[0] ?? 0));
    expect(grew.map(([key, entry]) => `${key}: ${entry.queries.join(' → ')} statements`)).toEqual([]);
  });

  it('each stays within the budget its route declares', () => {
    const report: string[] = [];
    for (const [key, entry] of measured) {
      const route = context.test.app.routeCatalogue.find((one) => one.method === 'GET' && one.url === entry.route);
      const budget = route?.queryBudget;
      const most = Math.max(...entry.queries);
      if (budget === undefined) report.push(`${key}: declares no queryBudget (sends ${most})`);
      else if (most > budget) report.push(`${key}: ${most} statements, over its budget of ${budget}`);
    }
    expect(report).toEqual([]);
  });
});

afterAll(() => {
  if (process.env.SHOW_QUERY_COUNTS)
    for (const [key, entry] of measured) process.stdout.write(`${key}: ${entry.queries.join(' → ')}\n`);
});
