// The demo's sign-ins, in one place: the server prints them on start, the README shows them (a
// test keeps the two the same), and the browser journeys and benchmarks sign in with them.

/** Every demo account's password. */
export const demoPassword = 'demo-password-1';

/** The demo platform admin's published two-step key (add it to an authenticator app). */
export const demoTwoStepKey = 'COPRODUCEDEMOKEYFORPLATFORMADMIN';

/** The people worth signing in as, one for each kind of user, and who they are. */
export const demoSignIns = [
  { email: 'admin@example.org', who: 'admin of Lambeth Together' },
  { email: 'coordinator@example.org', who: 'coordinator, in Lambeth Together and Croydon Connect' },
  { email: 'member@example.org', who: 'member of Lambeth Together' },
  { email: 'newmember@example.org', who: 'member of Lambeth Together, referred this month' },
  { email: 'peer@example.org', who: 'peer supporter' },
  { email: 'facilitator@example.org', who: 'facilitator' },
  { email: 'clinician@example.org', who: 'clinician in the hub team' },
  { email: 'referrer@example.org', who: 'GP practice staff who refer people (Paxton Green Group Practice)' },
  { email: 'referrer2@example.org', who: "another practice's referrer (Hetherington Group Practice)" },
  { email: 'safeguarding@example.org', who: 'safeguarding lead' },
  { email: 'facilitator.croydon@example.org', who: 'facilitator of the Croydon Connect peer network' },
  { email: 'member.croydon@example.org', who: 'member of the Croydon Connect peer network' },
  { email: 'platform@example.org', who: 'platform admin (creates communities); signs in with two steps, see below' },
] as const;

/** The list as the server prints it. */
export const demoSignInText = (): string =>
  [
    `Demo sign-ins (password: ${demoPassword}):`,
    ...demoSignIns.map((signIn) => `  ${signIn.email}: ${signIn.who}`),
    `  (platform admin's two-step key: ${demoTwoStepKey}, or \`npm run demo-code\` for the current code)`,
  ].join('\n');

/** The list as the README's table shows it. */
export const demoSignInTable = (): string =>
  ['| email | who |', '| --- | --- |', ...demoSignIns.map((signIn) => `| \`${signIn.email}\` | ${signIn.who} |`)].join(
    '\n',
  );
