// Type-aware lint. Workflow files run in Temporal's deterministic sandbox: Node built-ins, I/O
// libraries and activity implementations are banned there (they would break replay).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'http',
  'https',
  'net',
  'crypto',
  'child_process',
  'process',
  'timers',
  'util',
  'events',
  'stream',
  'url',
  'dns',
  'worker_threads',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.temporal/**', 'dist/**', 'coverage/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins
              .flatMap((m) => [m, `node:${m}`])
              .map((name) => ({ name, message: 'Workflows are deterministic: no Node modules.' })),
            { name: 'pino', message: 'Workflows log through log from @temporalio/workflow.' },
            { name: '@temporalio/client', message: 'Workflows cannot use the client.' },
            { name: '@temporalio/worker', message: 'Workflows cannot use the worker.' },
            { name: '@temporalio/activity', message: 'Workflows cannot use activity APIs.' },
          ],
          patterns: [
            {
              group: ['**/isc/**', '../isc', '../isc/*'],
              message: 'Workflows never call ISC directly; use activities.',
            },
            {
              group: ['**/activities/*', '../activities'],
              allowTypeImports: true,
              message: 'Import activities as types only.',
            },
            { group: ['**/simulator/**', '**/config', '**/logger'], message: 'Not deterministic.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Workflow time comes from Temporal: no Date.' },
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Math.random is not deterministic.' },
      ],
    },
  },
  {
    // jest's asymmetric matchers (expect.any, expect.stringMatching) are typed `any` by design.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        module: 'readonly',
        require: 'readonly',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
  },
);
