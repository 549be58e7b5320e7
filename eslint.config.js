// ESLint (flat config): typescript-eslint's recommended rules, and the module boundaries of the layout in
// README.md "Architecture": no module reaches into another module's repository; it uses that module's index.ts.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', '.tap/', '.ci/', 'src/web/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The web app's modules run in the browser (bundled in memory at start, not transpiled): browser globals, and the service worker's own.
    files: ['src/web/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/web/app/sw.js'],
    languageOptions: { globals: { ...globals.serviceworker, VERSION: 'readonly', SHELL: 'readonly' } },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'boundaries/include': ['src/**/*.ts'],
      'boundaries/elements': [
        { type: 'module', pattern: 'src/modules/*', partialMatch: false, capture: ['module'] },
        { type: 'access', pattern: 'src/access', partialMatch: false },
        { type: 'events', pattern: 'src/events', partialMatch: false },
        { type: 'plugin', pattern: 'src/plugins', partialMatch: false },
        { type: 'lib', pattern: 'src/lib', partialMatch: false },
        { type: 'db', pattern: 'src/db', partialMatch: false },
      ],
      'boundaries/files': [
        { pattern: '**/*.repository.ts', category: 'repository' },
        { pattern: 'src/modules/*/index.ts', category: 'entry' },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          // Later policies win over earlier ones where both match.
          policies: [
            {
              // Into a module only through its index.ts, its public API.
              disallow: { to: { element: { type: 'module' } } },
              message: "Use that module's index.ts: its other files are private.",
            },
            { allow: { to: { file: { categories: 'entry' } } } },
            {
              // Inside a module anything goes.
              from: { element: { type: 'module' } },
              allow: { to: { element: { type: 'module', captured: { module: '{{ from.element.captured.module }}' } } } },
            },
          ],
        },
      ],
    },
  },
);
