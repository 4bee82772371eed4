import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Import boundaries. A service is a deployable of its own: it never imports another service, the
// dev tooling (devkit, scripts, tools) or test code; the dev tooling never imports a service (it
// runs services as processes and talks to them over HTTP). Inside a service, `domain/` is pure
// rules and `http/` only parses, calls a use case and answers.
const SERVICES = ['auth', 'event', 'entry', 'payment', 'gateway'];
const noOtherService = SERVICES.map((s) => ({ group: [`**/${s}/src`, `**/${s}/src/**`, `@stampede/${s}`], message: 'a service never imports another service' }));
const noTooling = [
  { group: ['@stampede/devkit', '@stampede/devkit/*'], message: 'devkit is dev tooling: never shipped in a service or a package' },
  { group: ['**/scripts/**', '**/tools/**', '**/test/**'], message: 'shipped code never imports scripts, tools or tests' },
];
const noServices = [{ group: ['**/services/**', ...SERVICES.map((s) => `@stampede/${s}`)], message: 'dev tooling runs services as processes and talks to them over HTTP: it never imports one' }];
const IO = ['ioredis', 'pg', 'kafkajs', 'express', 'undici', '@mikro-orm/*', 'node:http', 'node:net', '@stampede/ledger', '@stampede/chassis/clients/*', '@stampede/chassis/stores'];
const layer = (dirs, message) => dirs.map((d) => ({ group: [`../${d}`, `../${d}/*`, `../../${d}/*`], message }));
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: patterns.flat() }] });

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.stampede/**', 'coverage/**', 'reports/**', 'charts/**/*.yaml', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['services/*/src/**/*.ts', 'packages/{chassis,contracts,ledger}/src/**/*.ts'],
    rules: restrict(noOtherService, noTooling),
  },
  {
    files: ['services/*/src/domain/**/*.ts'],
    rules: restrict(noOtherService, noTooling, IO.map((m) => ({ group: [m], message: 'domain/ holds pure rules: no I/O', allowTypeImports: true })),
      layer(['store', 'clients', 'http', 'workers', 'use-cases'], 'domain/ depends on nothing else in the service')),
  },
  {
    files: ['services/*/src/http/**/*.ts'],
    rules: restrict(noOtherService, noTooling, layer(['store', 'clients', 'workers'], 'http/ parses, calls a use case and answers: persistence and calls go through use-cases/'),
      // The ledger's token helpers are pure (the token format), so routes may parse with them.
      ['^@stampede/ledger$', '^@mikro-orm/', '^ioredis$', '^kafkajs$'].map((regex) => ({ regex, message: 'http/ reaches stores through use-cases/', allowTypeImports: true }))),
  },
  {
    files: ['services/*/src/store/**/*.ts'],
    rules: restrict(noOtherService, noTooling, layer(['http', 'use-cases', 'workers', 'clients'], 'store/ is persistence only')),
  },
  {
    files: ['scripts/**/*.ts', 'tools/**/*.ts', 'loadtest/**/*.ts', 'packages/devkit/src/**/*.ts'],
    rules: restrict(noServices),
  },
  {
    files: ['**/test/**/*.ts', 'packages/devkit/**/*.ts', 'tools/bench/**/*.ts', 'tools/cluster-test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The web console runs in browsers: their globals, not Node's.
    files: ['apps/console/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
