// What a module contributes to the platform, declared in its own module.ts. app.ts lists the
// modules; nothing else outside a module's folder names it.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Database } from './db/index.ts';
import type { ScheduledJob } from './jobs.ts';
import type { PersonDataSource } from './person-data.ts';
import type { CommunityTransaction, Role } from './tenancy.ts';

/** What a module's plugins are given: configuration, connections, and what the other modules declared. */
export interface ModuleDependencies {
  config: Config;
  /** Row-level security applies: every request's queries go here. */
  db: Database;
  /** The owner: platform-wide work only (platform admin, jobs, sessions). */
  owner: Database;
  notifyConfigured: boolean;
  publicUrl: string;
  /** Every column that points at a person, across the platform and every module. */
  personData: readonly PersonDataSource[];
  /** What accepting a referral into a programme does, by the programme's kind. */
  acceptance: AcceptanceHandlers;
}

/** Someone accepted into a programme from a referral. */
export interface Joining {
  communityId: string;
  programme: { id: string; kind: string };
  personRecordId: string;
  referralId: string | null;
  actorId: string | null;
}
/** What a programme's module does when a referral is accepted into a programme of its kind. */
export type AcceptanceHandler = (tx: CommunityTransaction, joining: Joining) => Promise<void>;
export type AcceptanceHandlers = Readonly<Partial<Record<string, AcceptanceHandler>>>;

/** One of a module's Fastify plugins (its pages, its API), with the path every route of it starts with. */
export interface ModulePlugin {
  plugin: (app: FastifyInstance, options: { dependencies: ModuleDependencies }) => Promise<void>;
  prefix?: string;
}

/** A link in a community's header. */
export interface NavigationLink {
  /** Its text, as a translation key. */
  key: string;
  /** After /c/<community>. */
  path: string;
  roles: readonly Role[] | 'any-member';
  /** Shown only where the community runs an open programme of this kind. */
  kind?: string;
  /** Shown also to the community's hub team, whatever their roles. */
  orInHubTeam?: true;
  /** Where it stands in the header: lower first. */
  order: number;
}

/** What a community's header (and home page) needs to know about the person asking, worked out by the module that knows it. */
export interface HeaderFacts {
  /** The kinds of programme the community runs (open ones). */
  programmeKinds: (owner: Database, communityId: string) => Promise<readonly string[]>;
  /** Whether the account is in the community's hub team. */
  inHubTeam: (owner: Database, communityId: string, accountId: string) => Promise<boolean>;
}

/** The active record of an account in a community, or null (the people module knows). */
export type AskerRecord = (tx: CommunityTransaction, communityId: string, accountId: string) => Promise<string | null>;

/** The context a module's scheduled jobs are built with. */
export interface JobContext {
  config: Config;
  personData: readonly PersonDataSource[];
}

export interface CoproduceModule {
  name: string;
  plugins: readonly ModulePlugin[];
  /** The columns of its tables that point at a person: what a download holds, what a merge moves, what erasure clears. */
  personData?: readonly PersonDataSource[];
  scheduledJobs?: (context: JobContext) => readonly ScheduledJob[];
  /** What accepting a referral into a programme of its kind does. */
  acceptance?: AcceptanceHandlers;
  navigation?: readonly NavigationLink[];
  headerFacts?: Partial<HeaderFacts>;
  /** How the asker's record in a community is found (one module, people, declares it). */
  askerRecord?: AskerRecord;
}

/** Every person-data declaration, the platform's first. */
export const personDataOf = (platform: readonly PersonDataSource[], modules: readonly CoproduceModule[]) => [
  ...platform,
  ...modules.flatMap((module) => module.personData ?? []),
];

export const scheduledJobsOf = (modules: readonly CoproduceModule[], context: JobContext) =>
  modules.flatMap((module) => module.scheduledJobs?.(context) ?? []);

export const acceptanceOf = (modules: readonly CoproduceModule[]): AcceptanceHandlers =>
  Object.assign({}, ...modules.map((module) => module.acceptance ?? {}));

export const navigationOf = (modules: readonly CoproduceModule[]): readonly NavigationLink[] =>
  modules.flatMap((module) => module.navigation ?? []).sort((a, b) => a.order - b.order);

/** The header's facts, from the modules that know them; nothing known means none (no programmes, not in a team). */
export function headerFactsOf(modules: readonly CoproduceModule[]): HeaderFacts {
  const declared: Partial<HeaderFacts> = Object.assign({}, ...modules.map((module) => module.headerFacts ?? {}));
  return {
    programmeKinds: declared.programmeKinds ?? (() => Promise.resolve([])),
    inHubTeam: declared.inHubTeam ?? (() => Promise.resolve(false)),
  };
}

export function askerRecordOf(modules: readonly CoproduceModule[]): AskerRecord {
  const declared = modules.flatMap((module) => (module.askerRecord ? [module.askerRecord] : []));
  const [only] = declared;
  if (!only || declared.length > 1) throw new Error("exactly one module says how an asker's record is found");
  return only;
}
