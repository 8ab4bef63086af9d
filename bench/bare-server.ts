// The least a signed-in, community-scoped read can cost: Fastify with no plugins and `pg` with
// prepared statements, sending what the app's register API sends to PostgreSQL (the session,
// `begin` with the community setting, the register's own statement, `commit`). Started by
// bench/bare-register.ts, which passes the statement and its values in the environment.
import Fastify from 'fastify';
import pg from 'pg';
import { beginInCommunity } from '../src/platform/tenancy.ts';

const environment = process.env as Record<string, string>;
const owner = new pg.Pool({ connectionString: environment.OWNER_URL, max: 4 });
const app = new pg.Pool({ connectionString: environment.APP_URL, max: 16 });
const register = JSON.parse(environment.REGISTER_STATEMENT ?? '{}') as { text: string; values: unknown[] };
const server = Fastify();

/** The session's read, then a transaction scoped to the community around `work`. */
async function scoped(work: (client: pg.PoolClient) => Promise<unknown>) {
  await owner.query({
    name: 'session',
    text: 'select data, expires_at, person_id from sessions where id = $1',
    values: [environment.SESSION_ID],
  });
  const client = await app.connect();
  try {
    // The same simple query the app begins with: begin, and the community's settings.
    await client.query(
      beginInCommunity({ communityId: environment.COMMUNITY_ID ?? '', personId: environment.ACCOUNT_ID ?? null }),
    );
    const result = await work(client);
    await client.query('commit');
    return result;
  } finally {
    client.release();
  }
}

server.get('/none', async () => ({ ok: true }));
server.get('/round-trips', async () =>
  scoped(async (client) => (await client.query({ name: 'one', text: 'select 1 as one' })).rows[0]),
);
server.get('/register', async () =>
  scoped(async (client) => {
    const { rows } = await client.query({ name: 'register', text: register.text, values: register.values });
    return rows[0];
  }),
);
await server.listen({ port: Number(environment.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
