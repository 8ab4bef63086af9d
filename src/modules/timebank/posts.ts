// Offers and requests: posting, searching (PostgreSQL full text, stemmed, accents ignored),
// responding, private messages through the platform, following categories, and the background
// checks some kinds of help need.
import { addMonths, formatISO } from 'date-fns';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import type { Database } from '../../platform/db/index.ts';
import { optionalText, requiredText, tickbox } from '../../platform/fields.ts';
import { cursorFields } from '../../platform/http/pagination.ts';
import { conflict, DomainError, invalid, notFound } from '../../platform/http/problems.ts';
import { type CommunityTransaction, inCommunity } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { tellPerson } from '../people/consent.ts';
import { checksRunningOut, insertCheck, markChecksReminded } from './checks-store.ts';
import {
  categoriesAmong,
  changePost,
  closeOpenPost,
  conversationRows,
  findPosts,
  followedCategories,
  followersOf,
  insertFollows,
  insertMessage,
  insertPost,
  insertResponse,
  markPostsReminded,
  messagesOf,
  nameOfRecord,
  type Post,
  type PostQuery,
  postInFull,
  postKinds,
  postPlaces,
  responseBy,
  responseIn,
  responseRows,
  timebanksWithSlugs,
  unfollowAll,
} from './posts-store.ts';
import type { CheckLevel } from './schema.ts';
import { usableCategory } from './store.ts';
import type { ExchangeContext } from './exchanges.ts';
import { accountChoices, listCategories, memberOf, timebankOf } from './service.ts';
import { checkCovers, currentCheck, requireCheck } from './checks.ts';

export { checkCovers, checkOrder, currentCheck } from './checks.ts';
export { checksOf } from './checks-store.ts';

export { postKinds, postPlaces };
export type { Post, PostQuery };

// ——— Background checks ———

const certificate = z
  .string({ error: 'errors.timebank.certificate.missing' })
  .trim()
  .regex(/^[0-9]{12}$/, 'errors.timebank.certificate.invalid');

export const checkDetails = z
  .object({
    level: z.enum(['basic', 'enhanced', 'enhanced_barred'], { error: 'errors.timebank.checkLevel' }),
    certificateNumber: certificate,
    issuedOn: z.iso
      .date({ error: 'errors.timebank.issuedOn.invalid' })
      .refine((value) => value <= ukDay(new Date()), 'errors.timebank.issuedOn.future'),
    expiresOn: z.iso.date({ error: 'errors.timebank.expiresOn.invalid' }),
  })
  .refine((check) => check.expiresOn > check.issuedOn, {
    path: ['expiresOn'],
    message: 'errors.timebank.expiresOn.beforeIssued',
  });

/** A coordinator records a check they have seen. */
export async function recordCheck(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  personRecordId: string,
  details: z.infer<typeof checkDetails>,
) {
  const member = await memberOf(tx, communityId, personRecordId);
  if (!member) throw notFound();
  const saved = await insertCheck(tx, {
    communityId,
    personRecordId,
    level: details.level,
    certificateNumber: details.certificateNumber,
    issuedOn: details.issuedOn,
    expiresOn: details.expiresOn,
    seenBy: actorId,
  });
  await record(tx, {
    communityId,
    actorId,
    action: 'timebank.check_recorded',
    subjectType: 'person_record',
    subjectId: personRecordId,
    detail: { level: details.level, expiresOn: details.expiresOn },
  });
  return saved;
}

/** Checks that run out within the community's warning days (or already have, in the last month), soonest first. */
export async function checksDue(tx: CommunityTransaction, communityId: string) {
  const timebank = await timebankOf(tx, communityId);
  const rows = await checksRunningOut(tx, communityId, timebank.checkWarningDays);
  return rows
    .map((row) => ({
      personRecordId: row.person_record_id,
      name: row.name,
      level: row.level,
      expiresOn: row.expires_on,
    }))
    .sort((a, b) => a.expiresOn.localeCompare(b.expiresOn));
}

// ——— Posts ———

const inAYear = () => formatISO(addMonths(new Date(), 12), { representation: 'date' });

const postFields = z.object({
  kind: z.enum(postKinds, { error: 'errors.timebank.postKind' }),
  title: requiredText('errors.timebank.title.missing', 'errors.timebank.title.tooLong', 120),
  description: optionalText('errors.timebank.description.tooLong', 2000),
  categoryId: z.uuid({ error: 'errors.timebank.category.missing' }),
  place: z.enum(postPlaces, { error: 'errors.timebank.place.missing' }),
  neighbourhood: optionalText('errors.timebank.neighbourhood.tooLong', 80),
  whenAvailable: optionalText('errors.timebank.whenAvailable.tooLong', 300),
  forGroups: tickbox.default(false),
  endsOn: z.iso
    .date({ error: 'errors.timebank.endsOn.invalid' })
    .refine((value) => value >= ukDay(new Date()), 'errors.timebank.endsOn.past')
    .refine((value) => value <= inAYear(), 'errors.timebank.endsOn.tooFar'),
  /** Coordinators only: the member it is for. */
  forPersonId: z.uuid().nullish(),
});
const placeNamed = (post: { place: string; neighbourhood: string }) =>
  post.place !== 'neighbourhood' || post.neighbourhood !== '';
const placeMessage = { path: ['neighbourhood'], message: 'errors.timebank.neighbourhood.missing' };
export const postDetails = postFields.refine(placeNamed, placeMessage);
/** The API's body: the kind is in the path. */
export const postBody = postFields.omit({ kind: true }).refine(placeNamed, placeMessage);
export type PostDetails = z.infer<typeof postDetails>;

/** A member posts an offer or request (a coordinator may post for a member). Followers of the category hear of it. */
export async function createPost(
  tx: CommunityTransaction,
  context: ExchangeContext,
  details: PostDetails,
): Promise<Post> {
  const { communityId, actor } = context;
  const forPerson = details.forPersonId && actor.staff ? details.forPersonId : context.actorRecordId;
  if (details.forPersonId && !actor.staff)
    throw invalid([{ field: 'forPersonId', code: 'errors.timebank.forPerson.staffOnly' }]);
  if (!forPerson) throw invalid([{ field: 'forPersonId', code: 'errors.timebank.notOnboarded' }]);
  const member = await memberOf(tx, communityId, forPerson);
  if (!member)
    throw details.forPersonId ? notFound() : invalid([{ field: 'title', code: 'errors.timebank.notOnboarded' }]);
  if (!member.onboardedAt)
    throw invalid([{ field: details.forPersonId ? 'forPersonId' : 'title', code: 'errors.timebank.notOnboarded' }]);
  const category = await usableCategory(tx, communityId, details.categoryId);
  if (!category) throw invalid([{ field: 'categoryId', code: 'errors.timebank.category.missing' }]);
  // Offering help that needs a check needs the check.
  if (details.kind === 'offer') await requireCheck(tx, forPerson, category.checkLevel, 'categoryId');
  const post = await insertPost(tx, {
    communityId,
    kind: details.kind,
    personRecordId: forPerson,
    title: details.title,
    description: details.description,
    categoryId: category.id,
    place: details.place,
    neighbourhood: details.neighbourhood || member.neighbourhood,
    whenAvailable: details.whenAvailable,
    forGroups: details.forGroups,
    endsOn: details.endsOn,
    postedBy: actor.id,
    onBehalf: forPerson !== context.actorRecordId,
  });
  if (!post) throw new Error('post insert returned nothing');
  await record(tx, {
    communityId,
    actorId: actor.id,
    action: 'timebank.post_created',
    subjectType: 'timebank_post',
    subjectId: post.id,
    detail: { kind: post.kind, onBehalf: post.onBehalf },
  });
  const followers = await followersOf(tx, category.id, forPerson);
  for (const follower of followers) {
    await tellPerson(tx, context.notifyConfigured, follower.personRecordId, {
      template: 'timebank-new-post',
      subject: `New ${post.kind === 'offer' ? 'offer' : 'request'} in ${category.name}`,
      body: `${post.title}\n\nRead it and answer: ${context.publicUrl}/c/${context.communitySlug}/timebank/posts/${post.id}\n\nYou get these because you follow ${category.name}. Change that: ${context.publicUrl}/c/${context.communitySlug}/timebank/follows`,
    });
  }
  return post;
}

/** Where the next page of a search starts (`next` of searchPosts), as a cursor carries it. */
export const postCursor = z.object({ rank: cursorFields.number, createdAt: cursorFields.instant, id: cursorFields.id });

/**
 * Open posts, newest first; when searching, the newest matches best match first, then older ones
 * newest first (see `rankedMatches`): words are stemmed and accents ignored, so "cafe" finds
 * "Café" and "gardens" finds "gardening".
 */
export async function searchPosts(tx: CommunityTransaction, communityId: string, query: PostQuery) {
  const today = ukDay(new Date());
  const rows = await findPosts(tx, communityId, query, today);
  const items = rows.slice(0, query.limit).map((row) => ({
    id: row.id,
    kind: row.kind,
    title: row.title,
    description: row.description,
    place: row.place,
    neighbourhood: row.neighbourhood,
    whenAvailable: row.when_available,
    forGroups: row.for_groups,
    endsOn: row.ends_on,
    closed: row.closed_at !== null,
    createdAt: new Date(row.created_at),
    category: row.category,
    checkLevel: row.check_level,
    homeVisit: row.home_visit,
    poster: row.poster,
    personRecordId: row.person_record_id,
    rank: Number(row.rank),
    responses: row.responses,
  }));
  const last = items[items.length - 1];
  return {
    items,
    next:
      rows.length > query.limit && last
        ? { rank: last.rank, createdAt: last.createdAt.toISOString(), id: last.id }
        : null,
  };
}

export async function getPost(tx: CommunityTransaction, communityId: string, postId: string) {
  const row = await postInFull(tx, communityId, postId);
  if (!row) throw notFound();
  return row;
}

/** A post its poster (or staff) may change or close; anyone else is told it does not exist. */
export async function postToChange(tx: CommunityTransaction, context: ExchangeContext, postId: string) {
  const found = await getPost(tx, context.communityId, postId);
  if (!context.actor.staff && found.post.personRecordId !== context.actorRecordId) throw notFound();
  return found;
}

/**
 * A post as the acting person sees it: whether it is theirs, whether they may answer it (and if
 * not, why), their own answer, and every answer when it is theirs or they are staff.
 */
export async function postSeenBy(tx: CommunityTransaction, context: ExchangeContext, postId: string) {
  const { communityId, actorRecordId: ownId } = context;
  const found = await getPost(tx, communityId, postId);
  const mine = ownId !== null && found.post.personRecordId === ownId;
  const answer = await mayRespond(tx, communityId, found.post, found.category.checkLevel, ownId);
  const responses = mine || context.actor.staff ? await responsesTo(tx, found.post.id) : [];
  const ownResponse = ownId
    ? (await responsesTo(tx, found.post.id)).find((response) => response.personRecordId === ownId)
    : undefined;
  return { ...found, mine, answer, responses, ownResponse, staffView: context.actor.staff };
}

/**
 * What the form for posting offers: staff post for any member who finished joining; a member
 * posts their own once they finished joining.
 */
export async function postFormFor(tx: CommunityTransaction, context: ExchangeContext) {
  const { communityId, actor, actorRecordId: ownId } = context;
  const member = ownId ? await memberOf(tx, communityId, ownId) : undefined;
  const categories = await listCategories(tx, communityId);
  const people = actor.staff
    ? (await accountChoices(tx, communityId)).filter((choice) => choice.kind === 'member')
    : [];
  return { staffView: actor.staff, member, mayPost: actor.staff || Boolean(member?.onboardedAt), categories, people };
}

/** Whether the person may answer a post, and if not, why (a catalogue key). */
export async function mayRespond(
  tx: CommunityTransaction,
  communityId: string,
  post: Post,
  checkLevel: CheckLevel,
  personRecordId: string | null,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!personRecordId) return { ok: false, reason: 'timebank.post.why.notMember' };
  if (post.personRecordId === personRecordId) return { ok: false, reason: 'timebank.post.why.yours' };
  if (post.closedAt || post.endsOn < ukDay(new Date())) return { ok: false, reason: 'timebank.post.why.closed' };
  const member = await memberOf(tx, communityId, personRecordId);
  if (!member) return { ok: false, reason: 'timebank.post.why.notMember' };
  if (!member.onboardedAt) return { ok: false, reason: 'timebank.post.why.joining' };
  // Taking up a request means giving the help: that needs the check the help needs.
  if (post.kind === 'request' && !checkCovers(checkLevel, await currentCheck(tx, personRecordId), ukDay(new Date())))
    return { ok: false, reason: `timebank.post.why.check.${checkLevel}` };
  const already = await responseBy(tx, post.id, personRecordId);
  if (already) return { ok: false, reason: 'timebank.post.why.answered' };
  return { ok: true };
}

export const responseDetails = z.object({
  message: requiredText('errors.timebank.message.missing', 'errors.timebank.message.tooLong', 2000),
});

/** "I can help" or "I'd like this", with a first message; the poster is told (never given the responder's address). */
export async function respondToPost(
  tx: CommunityTransaction,
  context: ExchangeContext,
  postId: string,
  details: z.infer<typeof responseDetails>,
) {
  const { post, category } = await getPost(tx, context.communityId, postId);
  const allowed = await mayRespond(tx, context.communityId, post, category.checkLevel, context.actorRecordId);
  if (!allowed.ok) {
    if (allowed.reason === 'timebank.post.why.answered') throw conflict('timebank-already-answered');
    const code = allowed.reason.startsWith('timebank.post.why.check.')
      ? `errors.timebank.checkNeeded.${category.checkLevel}`
      : `errors.${allowed.reason}`;
    throw new DomainError(allowed.reason.includes('check') ? 'timebank-check-needed' : 'validation-failed', 400, [
      { field: 'message', code },
    ]);
  }
  const responderId = context.actorRecordId as string;
  const response = await insertResponse(tx, { communityId: context.communityId, postId, personRecordId: responderId });
  if (!response) throw conflict('timebank-already-answered');
  await insertMessage(tx, {
    communityId: context.communityId,
    responseId: response.id,
    fromRecordId: responderId,
    body: details.message,
    sentBy: context.actor.id,
  });
  await record(tx, {
    communityId: context.communityId,
    actorId: context.actor.id,
    action: 'timebank.post_answered',
    subjectType: 'timebank_post',
    subjectId: postId,
  });
  await tellPerson(tx, context.notifyConfigured, post.personRecordId, {
    template: 'timebank-response',
    subject: `Someone answered: ${post.title}`,
    body: `Someone in the time bank answered your ${post.kind}. Read their message and reply: ${context.publicUrl}/c/${context.communitySlug}/timebank/conversations/${response.id}`,
  });
  return response;
}

/** A conversation: the post, the two people in it and their messages. Only they and coordinators see it. */
export async function conversation(tx: CommunityTransaction, context: ExchangeContext, responseId: string) {
  const response = await responseIn(tx, context.communityId, responseId);
  if (!response) throw notFound();
  const { post, category, poster } = await getPost(tx, context.communityId, response.postId);
  const inIt = context.actorRecordId === response.personRecordId || context.actorRecordId === post.personRecordId;
  if (!inIt && !context.actor.staff) throw notFound();
  const responder = await nameOfRecord(tx, response.personRecordId);
  const messages = await messagesOf(tx, responseId);
  const names = new Map([
    [post.personRecordId, poster],
    [response.personRecordId, responder?.name ?? ''],
  ]);
  return {
    response,
    post,
    category,
    poster,
    responder: responder?.name ?? '',
    inIt,
    messages: messages.map((message) => ({ ...message, from: names.get(message.fromRecordId) ?? '' })),
  };
}

/** A message from one side of a conversation to the other (a coordinator may write for a side who is not online). */
export async function sendMessage(
  tx: CommunityTransaction,
  context: ExchangeContext,
  responseId: string,
  details: z.infer<typeof responseDetails> & { asPersonId?: string | null },
) {
  const thread = await conversation(tx, context, responseId);
  const sides = [thread.post.personRecordId, thread.response.personRecordId];
  const from = thread.inIt
    ? (context.actorRecordId as string)
    : details.asPersonId && sides.includes(details.asPersonId)
      ? details.asPersonId
      : null;
  if (!from) throw invalid([{ field: 'asPersonId', code: 'errors.timebank.asPerson.missing' }]);
  const message = await insertMessage(tx, {
    communityId: context.communityId,
    responseId,
    fromRecordId: from,
    body: details.message,
    sentBy: context.actor.id,
  });
  const to = sides.find((side) => side !== from) as string;
  await tellPerson(tx, context.notifyConfigured, to, {
    template: 'timebank-message',
    subject: 'You have a new message in the time bank',
    body: `You have a new message about "${thread.post.title}". Read it and reply: ${context.publicUrl}/c/${context.communitySlug}/timebank/conversations/${responseId}`,
  });
  return message;
}

/** The conversations a person is in, newest message first. */
export async function conversationsOf(tx: CommunityTransaction, communityId: string, personRecordId: string) {
  const rows = await conversationRows(tx, communityId, personRecordId);
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    kind: row.kind,
    other: row.other,
    lastAt: row.last_at ? new Date(row.last_at) : null,
  }));
}

/** The answers to a post: for its poster and coordinators. */
export async function responsesTo(tx: CommunityTransaction, postId: string) {
  const rows = await responseRows(tx, postId);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    personRecordId: row.person_record_id,
    createdAt: new Date(row.created_at),
    messages: row.messages,
  }));
}

/** The poster or a coordinator closes a post: it no longer shows in searches. */
export async function closePost(tx: CommunityTransaction, context: ExchangeContext, postId: string) {
  const { post } = await postToChange(tx, context, postId);
  const closed = await closeOpenPost(tx, postId);
  if (closed)
    await record(tx, {
      communityId: context.communityId,
      actorId: context.actor.id,
      action: 'timebank.post_closed',
      subjectType: 'timebank_post',
      subjectId: postId,
    });
  return closed ?? post;
}

/** What a post's poster may change: everything but its kind and whose it is. */
export const postChange = postFields.omit({ kind: true, forPersonId: true }).refine(placeNamed, placeMessage);

/** The poster (or a coordinator) changes an open post; an offer moved to a kind of help that needs a check needs the check. */
export async function updatePost(
  tx: CommunityTransaction,
  context: ExchangeContext,
  postId: string,
  details: z.infer<typeof postChange>,
): Promise<Post> {
  const { post } = await postToChange(tx, context, postId);
  if (post.closedAt) throw conflict('timebank-post-closed');
  const category = await usableCategory(tx, context.communityId, details.categoryId);
  if (!category) throw invalid([{ field: 'categoryId', code: 'errors.timebank.category.missing' }]);
  if (post.kind === 'offer') await requireCheck(tx, post.personRecordId, category.checkLevel, 'categoryId');
  const changed = await changePost(tx, postId, {
    title: details.title,
    description: details.description,
    categoryId: category.id,
    place: details.place,
    neighbourhood: details.neighbourhood || post.neighbourhood,
    whenAvailable: details.whenAvailable,
    forGroups: details.forGroups,
    endsOn: details.endsOn,
  });
  if (!changed) throw notFound();
  await record(tx, {
    communityId: context.communityId,
    actorId: context.actor.id,
    action: 'timebank.post_changed',
    subjectType: 'timebank_post',
    subjectId: postId,
  });
  return changed;
}

// ——— Following categories ———

export const followChoice = z.object({
  categoryIds: z.preprocess(
    (value) => (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.uuid({ error: 'errors.timebank.category.missing' })).max(200),
  ),
});

export async function followedBy(tx: CommunityTransaction, personRecordId: string): Promise<string[]> {
  return (await followedCategories(tx, personRecordId)).map((row) => row.id);
}

/** Replaces the categories a member follows. */
export async function setFollows(
  tx: CommunityTransaction,
  communityId: string,
  personRecordId: string,
  categoryIds: readonly string[],
) {
  const member = await memberOf(tx, communityId, personRecordId);
  if (!member) throw invalid([{ field: 'categoryIds', code: 'errors.timebank.post.why.notMember' }]);
  const known = categoryIds.length ? await categoriesAmong(tx, communityId, categoryIds) : [];
  if (known.length !== new Set(categoryIds).size)
    throw invalid([{ field: 'categoryIds', code: 'errors.timebank.category.missing' }]);
  await unfollowAll(tx, personRecordId);
  if (known.length)
    await insertFollows(
      tx,
      known.map((category) => ({ communityId, personRecordId, categoryId: category.id })),
    );
}

// ——— Reminders (a daily job) ———

/** Posts about to end and checks about to expire: their people are told once, by the channel they agreed to. */
export async function sendReminders(
  owner: Database,
  publicUrl: string,
  notifyConfigured: boolean,
): Promise<{ posts: number; checks: number }> {
  const banks = await timebanksWithSlugs(owner);
  let posts = 0;
  let checks = 0;
  for (const bank of banks) {
    await inCommunity(owner, { communityId: bank.communityId, personId: null }, async (tx) => {
      const rules = await timebankOf(tx, bank.communityId);
      const ending = await markPostsReminded(tx, bank.communityId, rules.postReminderDays);
      for (const post of ending) {
        await tellPerson(tx, notifyConfigured, post.personRecordId, {
          template: 'timebank-post-ending',
          subject: `Your post ends on ${post.endsOn}`,
          body: `"${post.title}" ends on ${post.endsOn}. If you still need it or still offer it, post it again: ${publicUrl}/c/${bank.slug}/timebank/posts/${post.id}`,
        });
      }
      posts += ending.length;
      const expiring = await markChecksReminded(tx, bank.communityId, rules.checkWarningDays);
      for (const check of expiring) {
        await tellPerson(tx, notifyConfigured, check.personRecordId, {
          template: 'timebank-check-expiring',
          subject: 'Your background check needs renewing',
          body: `Your background check runs out on ${check.expiresOn}. Please talk to a coordinator about renewing it, so you can go on helping where a check is needed.`,
        });
      }
      checks += expiring.length;
    });
  }
  return { posts, checks };
}
