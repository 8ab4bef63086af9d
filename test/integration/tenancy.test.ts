import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents, readRestricted, record } from '../../src/platform/audit.ts';
import { auditEvents, memberships, outbox } from '../../src/platform/db/schema.ts';
import {
  builtOnce,
  builtOnceWhereOpen,
  mostValuesOfAKeptShape,
  shapesKeptPerConnection,
} from '../../src/platform/db/transactions.ts';
import { keptFor } from '../../src/platform/kept.ts';
import { beginInCommunity, inCommunity } from '../../src/platform/tenancy.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type Fixture, seedFixture } from '../support/fixtures.ts';

let database: TestDatabase;

/** PostgreSQL's own message for a failed query (drizzle wraps it). */
async function refusal(query: Promise<unknown>): Promise<string> {
  try {
    await query;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return cause?.message ?? String(error);
  }
  return 'the query succeeded';
}
let fixture: Fixture;

beforeAll(async () => {
  database = await createTestDatabase();
  fixture = await seedFixture(database.owner);
  await record(database.owner, {
    communityId: fixture.beta.id,
    actorId: null,
    action: 'test.beta-only',
    subjectType: 'test',
  });
  await database.owner.insert(outbox).values({
    communityId: fixture.beta.id,
    channel: 'email',
    template: 't',
    recipient: 'x@beta.test',
    subject: 's',
    body: 'b',
    status: 'not_sent',
  });
});
afterAll(() => database.drop());

describe('row-level security, the second wall', () => {
  it('a query that forgets the community filter still sees only the current community', async () => {
    const seen = await inCommunity(database.app, { communityId: fixture.alpha.id, personId: null }, async (tx) => ({
      memberships: await tx.select({ communityId: memberships.communityId }).from(memberships),
      audit: await tx.select({ communityId: auditEvents.communityId }).from(auditEvents),
      outbox: await tx.select({ communityId: outbox.communityId }).from(outbox),
    }));
    expect(seen.memberships.length).toBeGreaterThan(0);
    expect(new Set(seen.memberships.map((row) => row.communityId))).toEqual(new Set([fixture.alpha.id]));
    expect(seen.audit.every((row) => row.communityId === fixture.alpha.id)).toBe(true);
    expect(seen.outbox).toEqual([]);
  });

  it('every table with a community_id has row-level security switched on and forced, with a policy for the application', async () => {
    const tables = await database.owner.execute<{
      table: string;
      enabled: boolean;
      forced: boolean;
      policies: number;
    }>(sql`
      select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
        (select count(*)::int from pg_policies p where p.tablename = c.relname and 'coproduce_app' = any(p.roles)) as policies
      from information_schema.columns col join pg_class c on c.relname = col.table_name and c.relkind = 'r'
      where col.table_schema = 'public' and col.column_name = 'community_id'`);
    expect(tables.rows.length).toBeGreaterThan(5);
    expect(tables.rows.filter((row) => !row.enabled || !row.forced || row.policies === 0)).toEqual([]);
  });

  it('every policy reads the community setting once per statement, not once per row', async () => {
    const policies = await database.owner.execute<{ policy: string; clause: string }>(sql`
      select p.tablename || '.' || p.policyname as policy, coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '') as clause
      from pg_policies p where p.schemaname = 'public'`);
    const readsTheSetting = policies.rows.filter((row) => row.clause.includes('app_community_id()'));
    expect(readsTheSetting.length).toBeGreaterThan(50);
    // `community_id = app_community_id()` runs the function for every row a scan looks at.
    expect(
      readsTheSetting
        .filter((row) =>
          row.clause.replaceAll('( SELECT app_community_id() AS app_community_id)', '').includes('app_community_id()'),
        )
        .map((row) => row.policy),
    ).toEqual([]);
  });

  it('outside any community the application sees no community rows at all', async () => {
    const rows = await database.app.select({ id: memberships.id }).from(memberships);
    expect(rows).toEqual([]);
  });

  it('the application cannot write a row into another community', async () => {
    const attempt = inCommunity(database.app, { communityId: fixture.alpha.id, personId: null }, (tx) =>
      tx
        .insert(auditEvents)
        .values({ communityId: fixture.beta.id, actorId: null, action: 'test.smuggle', subjectType: 'test' }),
    );
    expect(await refusal(attempt)).toMatch(/row-level security/);
  });

  it('the application cannot change or delete the audit log', async () => {
    expect(await refusal(database.app.execute(sql`delete from audit_events`))).toMatch(/permission denied/);
    expect(await refusal(database.app.execute(sql`update audit_events set action = 'x'`))).toMatch(/permission denied/);
  });

  it('the application works as a role that owns nothing and cannot change the schema', async () => {
    const result = await database.app.execute<{ user: string }>(sql`select current_user as user`);
    expect(result.rows[0]?.user).toBe('coproduce_app');
    expect(await refusal(database.app.execute(sql`create table intruder (id int)`))).toMatch(/permission denied/);
  });

  it('the application logs in as its own role: no reset or set role reaches the owner, and the role owns nothing', async () => {
    const who = await database.app.execute<{ current: string; session: string }>(
      sql`select current_user as current, session_user as session`,
    );
    expect(who.rows[0]).toEqual({ current: 'coproduce_app', session: 'coproduce_app' });
    // What an injected statement would try: go back to the login role, or become the owner.
    await database.app.transaction(async (tx) => {
      await tx.execute(sql`reset role`);
      expect((await tx.execute<{ current: string }>(sql`select current_user as current`)).rows[0]?.current).toBe(
        'coproduce_app',
      );
    });
    const owner =
      (await database.owner.execute<{ name: string }>(sql`select current_user as name`)).rows[0]?.name ?? '';
    expect(await refusal(database.app.execute(sql.raw(`set role "${owner}"`)))).toMatch(/permission denied/);
    const [role] = (
      await database.owner.execute<{
        super: boolean;
        createrole: boolean;
        createdb: boolean;
        owns: number;
        memberOf: number;
      }>(sql`
      select r.rolsuper as super, r.rolcreaterole as createrole, r.rolcreatedb as createdb,
        (select count(*)::int from pg_class c where c.relowner = r.oid) as owns,
        (select count(*)::int from pg_auth_members m where m.member = r.oid) as "memberOf"
      from pg_roles r where r.rolname = 'coproduce_app'`)
    ).rows;
    expect(role).toEqual({ super: false, createrole: false, createdb: false, owns: 0, memberOf: 0 });
  });
});

describe('a community transaction, begun and scoped in one round trip', () => {
  it('is scoped only by UUIDs: anything else is refused before it reaches PostgreSQL', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    fc.assert(
      fc.property(fc.uuid(), fc.option(fc.uuid()), (communityId, personId) => {
        const begin = beginInCommunity({ communityId, personId });
        expect(begin).toContain(`'${communityId}'`);
        expect(begin.split("'").length).toBe(9);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!uuid.test(text));
        expect(() => beginInCommunity({ communityId: text, personId: null })).toThrow(/only by UUIDs/);
        expect(() => beginInCommunity({ communityId: fixture.alpha.id, personId: text })).toThrow(/only by UUIDs/);
      }),
    );
  });

  it('rolls back on an error and leaves the connection clean for the next transaction', async () => {
    await expect(
      inCommunity(database.app, { communityId: fixture.alpha.id, personId: null }, async (tx) => {
        await record(tx, {
          communityId: fixture.alpha.id,
          actorId: null,
          action: 'test.rolled-back',
          subjectType: 'test',
        });
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    const after = await Promise.all(
      Array.from({ length: 20 }, () =>
        inCommunity(database.app, { communityId: fixture.beta.id, personId: null }, async (tx) => ({
          community: (await tx.execute<{ id: string }>(sql`select current_setting('app.community_id') as id`)).rows[0]
            ?.id,
          rolledBack: (
            await tx
              .select()
              .from(auditEvents)
              .where(sql`${auditEvents.action} = 'test.rolled-back'`)
          ).length,
        })),
      ),
    );
    expect(after.every((one) => one.community === fixture.beta.id && one.rolledBack === 0)).toBe(true);
    const [owned] = await database.owner
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.action} = 'test.rolled-back'`);
    expect(owned).toBeUndefined();
  });

  it('does not answer as saved a transaction whose statement failed and was carried on past', async () => {
    await expect(
      inCommunity(database.app, { communityId: fixture.alpha.id, personId: null }, async (tx) => {
        await record(tx, {
          communityId: fixture.alpha.id,
          actorId: null,
          action: 'test.carried-on',
          subjectType: 'test',
        });
        await tx.execute(sql`select 1 / 0`).catch(() => undefined);
        return 'saved?';
      }),
    ).rejects.toThrow(/rolled it back/);
    const kept = await database.owner
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.action} = 'test.carried-on'`);
    expect(kept).toEqual([]);
  });

  it('runs a statement built once in the transaction it is given, under its community, and nowhere else', async () => {
    const everyMembership = builtOnce((db) =>
      db.select({ communityId: memberships.communityId }).from(memberships).prepare('test_every_membership'),
    );
    for (const community of [fixture.alpha, fixture.beta]) {
      const seen = await inCommunity(database.app, { communityId: community.id, personId: null }, (tx) =>
        everyMembership(tx).execute(),
      );
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen.map((row) => row.communityId))).toEqual(new Set([community.id]));
    }
    let kept: Parameters<typeof everyMembership>[0] | undefined;
    await inCommunity(database.app, { communityId: fixture.alpha.id, personId: null }, async (tx) => {
      kept = tx;
    });
    expect(() => everyMembership(kept as Parameters<typeof everyMembership>[0])).toThrow(/open community transaction/);
    await inCommunity(database.app, { communityId: fixture.beta.id, personId: null }, async () => {
      expect(() => everyMembership(kept as Parameters<typeof everyMembership>[0])).toThrow(
        /open community transaction/,
      );
    });
    // Work left running after its transaction ended cannot reach a connection that is someone else's now.
    let finished!: () => void;
    const afterwards = new Promise<void>((resolve) => (finished = resolve));
    let refused: unknown;
    let tried!: Promise<void>;
    await inCommunity(database.app, { communityId: fixture.alpha.id, personId: null }, async (tx) => {
      tried = afterwards.then(() => {
        try {
          everyMembership(tx);
        } catch (error) {
          refused = error;
        }
      });
    });
    finished();
    await tried;
    expect(String(refused)).toMatch(/open community transaction/);
  });
});

describe('a small read built once where a transaction is open', () => {
  it('runs in the open transaction and in a savepoint inside it, each time under that community', async () => {
    const membershipsSeen = builtOnceWhereOpen((db) =>
      db
        .select({ communityId: memberships.communityId })
        .from(memberships)
        .where(sql`${memberships.personId} <> ${sql.placeholder('nobody')}`)
        .prepare('test_memberships_where_open'),
    );
    const nobody = '00000000-0000-4000-8000-000000000000';
    for (const community of [fixture.alpha, fixture.beta, fixture.alpha]) {
      const [open, inSavepoint] = await inCommunity(
        database.app,
        { communityId: community.id, personId: null },
        async (tx) => [
          await membershipsSeen(tx).execute({ nobody }),
          await tx.transaction((savepoint) => membershipsSeen(savepoint).execute({ nobody })),
        ],
      );
      for (const seen of [open, inSavepoint]) {
        expect(seen.length).toBeGreaterThan(0);
        expect(new Set(seen.map((row) => row.communityId))).toEqual(new Set([community.id]));
      }
    }
  });
});

describe('answers kept for a few seconds, forgotten by a change', () => {
  it('a request that asks while the change is not yet committed does not keep the old answer', async () => {
    const kept = keptFor<number>(60_000);
    const count = () =>
      inCommunity(database.app, { communityId: fixture.alpha.id, personId: null }, async (tx) => {
        const rows = await tx.execute<{ n: number }>(
          sql`select count(*)::int as n from audit_events where action = 'test.kept-count'`,
        );
        return rows.rows[0]?.n ?? -1;
      });
    const asked = () => kept.get(fixture.alpha.id, count);
    expect(await asked()).toBe(0);
    await inCommunity(database.app, { communityId: fixture.alpha.id, personId: null }, async (tx) => {
      await record(tx, {
        communityId: fixture.alpha.id,
        actorId: null,
        action: 'test.kept-count',
        subjectType: 'test',
      });
      kept.forget(fixture.alpha.id);
      // Another request, outside this transaction, asks before the change commits: it sees 0.
      expect(await asked()).toBe(0);
    });
    expect(await asked()).toBe(1);
  });
});

describe('statements prepared by their shape', () => {
  /** The statements this connection keeps prepared by shape, with how often each was planned. */
  const preparedHere = async (tx: { execute: typeof database.app.execute }) =>
    (
      await tx.execute<{ statement: string; plans: number }>(
        sql`select statement, (generic_plans + custom_plans)::int as plans from pg_prepared_statements where name like 'shape\_%'`,
      )
    ).rows;

  it('are named after their text, kept by the connection, and still see only the community of the transaction they run in', async () => {
    const anyone = '00000000-0000-4000-8000-000000000000';
    for (let round = 0; round < 3; round += 1) {
      for (const community of [fixture.alpha, fixture.beta]) {
        await inCommunity(database.app, { communityId: community.id, personId: null }, async (tx) => {
          // The plan kept for every community alike, as PostgreSQL chooses after five runs.
          await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
          const membershipsSeen = () =>
            tx
              .select({ communityId: memberships.communityId })
              .from(memberships)
              .where(sql`${memberships.personId} <> ${anyone} and 'the shape test' <> ''`);
          await membershipsSeen();
          // Named the second time this connection sends it.
          const seen = await membershipsSeen();
          expect(seen.length).toBeGreaterThan(0);
          expect(new Set(seen.map((row) => row.communityId))).toEqual(new Set([community.id]));
          const kept = (await preparedHere(tx)).filter((one) => one.statement.includes('the shape test'));
          expect(kept).toHaveLength(1);
          expect(kept[0]?.plans).toBeGreaterThan(0);
        });
      }
    }
  });

  it('a connection whose kept statement no longer matches its table is closed, not given back to the pool', async () => {
    await database.owner.execute(sql`create table shape_went_stale (n int)`);
    await database.owner.execute(sql`insert into shape_went_stale values (1)`);
    await database.owner.execute(sql`grant select on shape_went_stale to coproduce_app`);
    const scope = { communityId: fixture.alpha.id, personId: null };
    const pidOf = async (tx: { execute: typeof database.app.execute }) =>
      (await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`)).rows[0]?.pid;
    const read = (tx: { execute: typeof database.app.execute }) =>
      tx.execute(sql`select * from shape_went_stale where n > ${0}`);
    const stalePid = await inCommunity(database.app, scope, async (tx) => {
      await read(tx);
      await read(tx); // named the second time, and kept by this connection
      return pidOf(tx);
    });
    // A migration adds a column: the kept statement's rows would change shape.
    await database.owner.execute(sql`alter table shape_went_stale add column m int`);
    const failures: string[] = [];
    const pids: (number | undefined)[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const outcome = await inCommunity(database.app, scope, async (tx) => {
        pids.push(await pidOf(tx));
        await read(tx);
        await read(tx);
        return 'read';
      }).catch((error: unknown) => String((error as { cause?: unknown }).cause ?? error));
      if (outcome !== 'read') failures.push(outcome);
    }
    // The pool gives back the connection released last: the stale one answered first, failed once, and was closed.
    expect(pids[0]).toBe(stalePid);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/cached plan must not change result type/);
    expect(pids.slice(1)).not.toContain(stalePid);
    await database.owner.execute(sql`drop table shape_went_stale`);
  });

  it('a statement without values, one seen once, or one with many values goes unnamed; past the limit a new shape goes unnamed but still runs', async () => {
    await inCommunity(database.app, { communityId: fixture.alpha.id, personId: null }, async (tx) => {
      for (let time = 0; time < 2; time += 1) {
        await tx.execute(sql`select 'no values here' as said`);
        const many = Array.from({ length: mostValuesOfAKeptShape + 1 }, (_, index) => index);
        await tx.execute(
          sql`select 'many values here' as said, ${sql.join(
            many.map((value) => sql`${value}::int`),
            sql`, `,
          )}`,
        );
      }
      await tx.execute(sql`select 'seen once here' as said, ${1}::int`);
      const kept = await preparedHere(tx);
      for (const text of ['no values here', 'many values here', 'seen once here'])
        expect(kept.some((one) => one.statement.includes(text))).toBe(false);
      for (let shape = 0; shape <= shapesKeptPerConnection; shape += 1) {
        for (let time = 0; time < 2; time += 1) {
          const { rows } = await tx.execute<{ n: number }>(sql`select ${shape}::int + ${sql.raw(String(shape))} as n`);
          expect(rows[0]?.n).toBe(2 * shape);
        }
      }
      expect((await preparedHere(tx)).length).toBe(shapesKeptPerConnection);
    });
  });
});

describe('the audit log', () => {
  it('reading a restricted record writes who read it, and why, before the record is returned', async () => {
    const [reader] = await database.owner
      .execute<{ id: string }>(sql`select id from people where email = 'safeguarding-lead@alpha.test'`)
      .then((result) => result.rows);
    if (!reader) throw new Error('no reader');
    const seenBefore: number[] = [];
    const record = await inCommunity(database.app, { communityId: fixture.alpha.id, personId: reader.id }, (tx) =>
      readRestricted(
        tx,
        {
          communityId: fixture.alpha.id,
          actorId: reader.id,
          subjectType: 'safeguarding_concern',
          subjectId: 'concern-1',
          reason: 'Weekly review',
        },
        async () => {
          const rows = await tx
            .select()
            .from(auditEvents)
            .where(sql`${auditEvents.action} = 'restricted.read'`);
          seenBefore.push(rows.length);
          return { id: 'concern-1' };
        },
      ),
    );
    expect(record).toEqual({ id: 'concern-1' });
    expect(seenBefore).toEqual([1]);
    const events = await inCommunity(database.app, { communityId: fixture.alpha.id, personId: null }, (tx) =>
      listAuditEvents(tx, fixture.alpha.id, { action: 'restricted.read', limit: 10 }),
    );
    expect(events).toMatchObject([
      { actorId: reader.id, subjectType: 'safeguarding_concern', subjectId: 'concern-1', reason: 'Weekly review' },
    ]);
  });
});
