// A person's time bank home: their place in it, what waits for them, their latest movements,
// posts and conversations; for those who run the time bank, also what needs doing.
import type { CommunityTransaction, RequestAsker } from '../../platform/tenancy.ts';
import { openExchanges } from './exchanges.ts';
import { checksDue, conversationsOf, searchPosts } from './posts.ts';
import {
  accountOfPerson,
  coordinatorSummary,
  memberOf,
  onboardingOf,
  runsTimebank,
  statement,
  timebankOf,
} from './service.ts';

/** What the home page shows the asker. */
export async function homeOf(tx: CommunityTransaction, communityId: string, asker: RequestAsker) {
  const ownId = await asker.recordIn(tx);
  const runs = runsTimebank(asker);
  const member = ownId ? await memberOf(tx, communityId, ownId) : undefined;
  const account = member && ownId ? await accountOfPerson(tx, communityId, ownId) : undefined;
  const onboarding = member && !member.onboardedAt ? await onboardingOf(tx, communityId, member.id) : [];
  const waiting = member && ownId ? await openExchanges(tx, communityId, { personRecordId: ownId, limit: 20 }) : [];
  const recent = account ? await statement(tx, communityId, account.id, { limit: 5 }) : { items: [] };
  const summary = runs ? await coordinatorSummary(tx, communityId) : undefined;
  const due = runs ? await checksDue(tx, communityId) : [];
  const ownPosts =
    member && ownId ? (await searchPosts(tx, communityId, { personRecordId: ownId, limit: 20 })).items : [];
  const conversations = member && ownId ? await conversationsOf(tx, communityId, ownId) : [];
  const timebank = await timebankOf(tx, communityId);
  return {
    member,
    account,
    onboarding,
    // Yours to confirm: recorded by the other side (or for nobody in particular).
    waiting: waiting.map((exchange) => ({ ...exchange, yours: exchange.recordedFor !== account?.id })),
    recent: recent.items,
    summary,
    timebank,
    ownId,
    checksDue: due,
    ownPosts,
    conversations,
  };
}
