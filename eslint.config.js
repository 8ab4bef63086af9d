import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Safety lives in the platform, once: every CSV goes through its writer.
const csvWriters = ['csv-stringify', 'csv-stringify/sync'].map((name) => ({
  name,
  message: 'Write CSV through src/platform/csv.ts, which neutralises formulas.',
}));

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
      'no-restricted-imports': [
        'error',
        {
          paths: csvWriters,
          patterns: [
            {
              group: ['**/bench/**', '**/test/**'],
              message:
                'src/ does not import from bench/ or test/: move what both need into src/ (the demo lives in src/demo/).',
            },
          ],
        },
      ],
    },
  },
  {
    // Tenancy is set in one place: a transaction is scoped to a community only by platform/tenancy.ts.
    files: ['src/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/platform/tenancy.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "TSAsExpression[typeAnnotation.typeName.name='CommunityTransaction']",
          message:
            'Scope a transaction with inCommunity or scopeToCommunity (src/platform/tenancy.ts), never by a cast.',
        },
        {
          selector: 'TemplateElement[value.raw=/app\\.community_id/]',
          message: 'Set the community with inCommunity or scopeToCommunity (src/platform/tenancy.ts).',
        },
        {
          selector: 'Literal[value=/app\\.community_id/]',
          message: 'Set the community with inCommunity or scopeToCommunity (src/platform/tenancy.ts).',
        },
      ],
    },
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
