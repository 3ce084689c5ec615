// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';
import { NOT_CONVERTED } from './eslint.not-converted.js';

// Node built-ins in both spellings: 'fs' and 'node:fs'.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// Only the Electron shell may touch Electron; everything else must run under plain Node.
const electronOnlyInShell = {
  name: 'electron',
  message: 'Only main/electron/ may import electron.',
};

// renderer and shared run in the browser: no Node built-ins, no electron, only types from main/.
const browserPaths = [
  { name: 'electron', message: 'The renderer talks to main only through tRPC.' },
  ...nodeBuiltins.map((name) => ({
    name,
    message: 'renderer/ and shared/ run in the browser: no Node built-ins.',
  })),
];
const mainTypesOnly = {
  group: ['**/main/**'],
  allowTypeImports: true,
  message: 'renderer/ and shared/ may import only types from main/ (the AppRouter).',
};

/**
 * A relative import that climbs out of its folder into `root/<dir>` (`../../server/http-io` from
 * main/features/x/, `../features/y` from main/core/). Matched on the specifier, so a package such
 * as `@trpc/server` is not caught.
 */
const into = (root, dir) => `^(\\.\\./)+(${root}/)?${dir}(/|$)`;

/**
 * In flat config a later object for the same files replaces the rule's options, so every zone
 * repeats the runtime fence it inherits (`paths`) and adds its own `patterns`.
 */
const restrict = (paths, patterns) => ['error', { paths, patterns }];

/** main/features/ imports no transport and no shell. */
const featureZone = [
  {
    regex: into('main', 'server'),
    message:
      'main/features/ may not import main/server/: a feature is transport-free domain code that the server exposes, never the reverse.',
  },
  {
    regex: into('main', 'desktop'),
    message:
      'main/features/ may not import main/desktop/: the desktop uses features, and a feature that needed desktop code would not run in the headless server.',
  },
  {
    regex: into('main', 'electron'),
    message:
      'main/features/ may not import main/electron/: only the Electron shell touches Electron, and features run in the headless server too.',
  },
];

/** main/core/ imports no feature. */
const coreZone = [
  {
    regex: into('main', 'features'),
    message:
      'main/core/ may not import main/features/: core (access, audit, crypto, errors) is what features build on, so importing a feature back would be a cycle.',
  },
];

const storageMessage =
  'A converted service reaches storage only through its unit of work (`this.d.uow.read/write`, repositories on `r`: main/core/uow.ts); SQL belongs in main/db/<engine>/repos/. Not converted yet? Its file is on the allow-list in eslint.not-converted.js.';

/** Issue 14: the storage fence of services (no drizzle, no better-sqlite3, nothing of main/db/). */
const storageFence = [
  { group: ['drizzle-orm', 'drizzle-orm/*'], message: storageMessage },
  { group: ['better-sqlite3'], message: storageMessage },
  { group: ['pg', 'pg/*'], message: storageMessage },
  { regex: into('main', 'db'), message: storageMessage },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'coverage/**',
      'main/db/migrations/**',
      'main/db/pg/migrations/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': restrict([electronOnlyInShell], []),
    },
  },
  // Services became async (issue 14): a call whose promise nobody awaits is a write that may
  // fail unseen or land after the answer. Type-aware, so only where it matters: main/ and tests.
  {
    files: ['main/**/*.ts', 'tests/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['main/electron/**', 'preload/**', 'tests/electron/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**', 'shared/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': restrict(browserPaths, [mainTypesOnly]) },
  },

  // Zones inside main/: features are the domain, which the server and the desktop both expose;
  // the dependencies point one way (core <- features <- server | desktop <- electron).
  {
    files: ['main/features/**'],
    rules: { 'no-restricted-imports': restrict([electronOnlyInShell], featureZone) },
  },
  {
    files: ['main/core/**'],
    rules: { 'no-restricted-imports': restrict([electronOnlyInShell], coreZone) },
  },
  // Issue 14: a converted service reaches storage only through the unit of work's `r`; the files
  // not converted yet are the allow-list in eslint.not-converted.js.
  {
    files: ['main/features/**/*.service.ts'],
    ignores: NOT_CONVERTED,
    rules: {
      'no-restricted-imports': restrict([electronOnlyInShell], [...featureZone, ...storageFence]),
    },
  },
  {
    files: ['main/core/**'],
    ignores: NOT_CONVERTED,
    rules: {
      'no-restricted-imports': restrict([electronOnlyInShell], [...coreZone, ...storageFence]),
    },
  },
  {
    files: ['main/server/**'],
    rules: {
      'no-restricted-imports': restrict(
        [electronOnlyInShell],
        [
          {
            regex: into('main', 'desktop'),
            message:
              'main/server/ may not import main/desktop/: the headless server runs without the desktop app; shared logic belongs in main/features/ or main/core/.',
          },
          {
            regex: into('main', 'electron'),
            message:
              'main/server/ may not import main/electron/: the headless server runs under plain Node, without Electron.',
          },
        ],
      ),
    },
  },

  // Zones inside renderer/: components are the building blocks features are made of.
  {
    files: ['renderer/components/**'],
    rules: {
      'no-restricted-imports': restrict(browserPaths, [
        mainTypesOnly,
        {
          regex: into('renderer', 'features'),
          message:
            'renderer/components/ may not import renderer/features/: components are generic building blocks that features use; a component that needs a feature belongs in that feature.',
        },
      ]),
    },
  },
);
