import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

// The layers (see ARCHITECTURE.md). Data flows one way: an element may import only the layers
// listed for it, so a wrong import fails lint instead of waiting for a reviewer.
const elements = [
  ['cli', 'src/cli'],
  ['github', 'src/github'],
  ['gitlab', 'src/gitlab'],
  ['core-pipeline', 'src/core/pipeline'],
  ['core-publish', 'src/core/publish'],
  ['core-report', 'src/core/report'],
  ['core-render', 'src/core/render'],
  ['core-state', 'src/core/state'],
  ['core-conversation', 'src/core/conversation'],
  ['core', 'src/core'],
  ['entry', 'src'],
].map(([type, pattern]) => ({ type, pattern, partialMatch: false }));
const allow = (from, to) => ({
  from: { element: { type: from } },
  allow: { to: { element: { types: { anyOf: to } } } },
});
const layers = [
  allow('entry', ['cli', 'github', 'gitlab', 'core']),
  allow('cli', ['cli', 'gitlab', 'core', 'core-pipeline', 'core-render']),
  allow('github', [
    'github',
    'core',
    'core-pipeline',
    'core-render',
    'core-state',
    'core-conversation',
  ]),
  allow('gitlab', ['gitlab', 'core', 'core-render', 'core-state']),
  allow('core-pipeline', [
    'core-pipeline',
    'core',
    'core-publish',
    'core-report',
    'core-state',
    'core-conversation',
  ]),
  allow('core-conversation', ['core-conversation', 'core', 'core-render', 'core-state']),
  allow('core-publish', ['core-publish', 'core', 'core-render', 'core-state']),
  allow('core-report', ['core-report', 'core', 'core-state']),
  allow('core-render', ['core-render', 'core', 'core-state']),
  allow('core-state', ['core-state', 'core']),
  allow('core', ['core']),
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/fixtures/', '.tools/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'import/resolver': { typescript: { project: 'tsconfig.json' } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...layers,
            // Node built-ins and packages are governed by the rule below, not by the layers.
            { allow: { to: [{ module: { origin: 'core' } }, { module: { origin: 'external' } }] } },
          ],
        },
      ],
      'boundaries/no-unknown-files': 'error',
    },
  },
  {
    // The core is platform-neutral: GitHub's and GitLab's packages live in their adapters.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@actions/*', '@octokit/*'] }],
    },
  },
);
