import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Safety lives in the platform, once: every CSV goes through its writer.
const csvWriters = ['csv-stringify', 'csv-stringify/sync'].map((name) => ({
  name,
  message: 'Write CSV through src/platform/csv.ts, which neutralises formulas.',
}));

const notBenchOrTest = {
  group: ['**/bench/**', '**/test/**'],
  message: 'src/ does not import from bench/ or test/: move what both need into src/ (the demo lives in src/demo/).',
};
// Another module's tables and queries, from a module's folder (its own are ./schema.ts and ./store.ts).
const otherModulesTables = {
  group: [
    '../*/schema',
    '../*/schema.ts',
    '../*/store',
    '../*/store.ts',
    '../*/*-store.ts',
    '**/modules/*/schema.ts',
    '**/modules/*/store.ts',
    '**/modules/*/*-store.ts',
  ],
  message:
    "A module does not read another module's tables: use what that module's service.ts publishes (e.g. recordsSeen from people).",
};
// Tables, outside the store files: only their types may be imported.
const ownTables = {
  group: ['./schema', './schema.ts', '**/platform/db/schema.ts'],
  allowTypeImports: true,
  message:
    "Only a module's store files query its tables: put the query in store.ts (or <feature>-store.ts) and call it.",
};
// Every form POST goes through the one form handler, which parses, saves once and redirects.
const formParts = {
  group: ['**/platform/http/forms.ts', '**/platform/http/idempotency.ts'],
  importNames: ['parseForm', 'oncePerForm'],
  message: 'Handle a form POST with submitForm (src/platform/http/forms.ts): it parses, saves once and redirects.',
};
const queryBuilders = ['drizzle-orm', 'drizzle-orm/pg-core'].map((name) => ({
  name,
  allowTypeImports: true,
  message: "Only a module's store files build queries: put the query in store.ts (or <feature>-store.ts) and call it.",
}));

// Tenancy is set in one place: a transaction is scoped to a community only by platform/tenancy.ts.
const tenancySyntax = [
  {
    selector: "TSAsExpression[typeAnnotation.typeName.name='CommunityTransaction']",
    message: 'Scope a transaction with inCommunity or scopeToCommunity (src/platform/tenancy.ts), never by a cast.',
  },
  {
    selector: 'TemplateElement[value.raw=/app\\.community_id/]',
    message: 'Set the community with inCommunity or scopeToCommunity (src/platform/tenancy.ts).',
  },
  {
    selector: 'Literal[value=/app\\.community_id/]',
    message: 'Set the community with inCommunity or scopeToCommunity (src/platform/tenancy.ts).',
  },
];
// Authorisation is decided once by route access and then by the services, from request.asker:
// a handler never looks at roles itself.
const roleChecks = [
  {
    selector: "MemberExpression[object.name='request'][property.name='roles']",
    message: 'A handler does not check roles: pass request.asker to the service, which decides (and says why).',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-results/', 'playwright-report/', 'migrations/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // Safety lives in the platform, once: every CSV goes through its writer.
    files: ['src/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/platform/csv.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: csvWriters,
        },
      ],
    },
  },
  {
    // The product never leans on its benchmarks or tests: they import from src/, never the reverse.
    files: ['src/**/*.ts'],
    ignores: ['src/platform/csv.ts', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: csvWriters, patterns: [notBenchOrTest] }],
    },
  },
  {
    // One module shape: a module's queries live in its store files (store.ts, <feature>-store.ts);
    // rules, pages and the API reach the database only through them. A module never reads another
    // module's tables: it uses what that module's service.ts publishes.
    files: ['src/modules/**/*.ts'],
    ignores: ['src/modules/**/schema.ts', 'src/modules/**/store.ts', 'src/modules/**/*-store.ts', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...csvWriters, ...queryBuilders],
          patterns: [notBenchOrTest, otherModulesTables, ownTables, formParts],
        },
      ],
    },
  },
  {
    // A store may join what another module publishes, never that module's tables.
    files: ['src/modules/**/store.ts', 'src/modules/**/*-store.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: csvWriters, patterns: [notBenchOrTest, otherModulesTables] }],
    },
  },
  {
    // Tenancy is set in one place: a transaction is scoped to a community only by platform/tenancy.ts.
    files: ['src/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/platform/tenancy.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...tenancySyntax],
    },
  },
  {
    // In a module, tenancy as everywhere, and no role checks: the services decide, from the asker.
    files: ['src/modules/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...tenancySyntax, ...roleChecks],
    },
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
