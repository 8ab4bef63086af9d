// Every column that points at a person, across the platform and every module: what a download
// shows, what a merge moves, what erasure clears. test/integration/person-data.test.ts lists
// the database's own foreign keys to people and person_records and fails on any not here.
import { sql } from 'drizzle-orm';
import type { PersonDataSource } from './platform/person-data.ts';
import { personData as people } from './modules/people/service.ts';
import { personData as programmes } from './modules/programmes/service.ts';
import { personData as journey } from './modules/journey/service.ts';
import { personData as referrals } from './modules/referrals/service.ts';
import { personData as privacy } from './modules/privacy/service.ts';
import { personData as safeguarding } from './modules/safeguarding/service.ts';
import { personData as timebank } from './modules/timebank/service.ts';
import { personData as network } from './modules/peer-network/service.ts';
import { personData as support } from './modules/peer-support/service.ts';
import { personData as caseload } from './modules/caseload/service.ts';
import { personData as budgets } from './modules/caseload/budgets.ts';

/** The platform's tables, which point at accounts. */
const platform: PersonDataSource[] = [
  {
    table: 'people',
    column: 'id',
    points: 'account',
    download: 'rows',
    omit: ['password_hash', 'totp_secret'],
    acrossCommunities: true,
  },
  {
    table: 'memberships',
    column: 'person_id',
    points: 'account',
    download: 'rows',
    rows: async (tx, ids) =>
      ids.account
        ? (
            await tx.execute<Record<string, unknown>>(
              sql`select m.*, c.name as community from memberships m join communities c on c.id = m.community_id where m.person_id = ${ids.account}`,
            )
          ).rows
        : [],
  },
  { table: 'memberships', column: 'decided_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'invitations', column: 'invited_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'invitations', column: 'accepted_by', points: 'account', download: 'rows', omit: ['token_hash'] },
  // An invitation to someone already known, from their record: it follows the record.
  {
    table: 'invitations',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    omit: ['token_hash'],
    merge: 'move',
  },
  {
    table: 'api_tokens',
    column: 'person_id',
    points: 'account',
    download: 'rows',
    omit: ['token_hash'],
    acrossCommunities: true,
  },
  {
    table: 'audit_events',
    column: 'actor_id',
    points: 'account',
    download: 'rows',
    // Safeguarding stays with the leads: not even that the person raised a concern, or read one.
    rows: (tx, ids) =>
      ids.account
        ? tx
            .execute<Record<string, unknown>>(
              sql`select * from audit_events where actor_id = ${ids.account} and action not like 'concern.%' and not (action = 'restricted.read' and subject_type = 'safeguarding_concern') order by at`,
            )
            .then((result) => result.rows)
        : Promise.resolve([]),
  },
  {
    table: 'sessions',
    column: 'person_id',
    points: 'account',
    download: { excluded: 'signed-in browsers: a key to the account, not information about the person' },
  },
  {
    table: 'password_resets',
    column: 'person_id',
    points: 'account',
    download: { excluded: 'one-use links, kept an hour: a key to the account' },
  },
  {
    table: 'email_verifications',
    column: 'person_id',
    points: 'account',
    download: { excluded: 'one-use links to confirm the address, kept until used or three days: a key to the account' },
  },
  {
    table: 'idempotency_records',
    column: 'person_id',
    points: 'account',
    download: { excluded: 'copies of API answers, kept a day, already in the other sections' },
  },
];

export const personDataSources: readonly PersonDataSource[] = [
  ...platform,
  ...people,
  ...programmes,
  ...journey,
  ...referrals,
  ...privacy,
  ...safeguarding,
  ...timebank,
  ...network,
  ...support,
  ...caseload,
  ...budgets,
];
