// ESLint (flat config): typescript-eslint's recommended rules, and the module boundaries of the layout in
// README.md "Architecture": no module reaches into another module's repository; it uses that module's index.ts.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
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
        { type: 'root', pattern: 'src/*.ts', mode: 'file', partialMatch: false },
      ],
      'boundaries/files': [{ pattern: '**/*.repository.ts', category: 'repository' }],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: [
            {
              // A repository is its module's private part: other modules, plugins and the app go through index.ts.
              disallow: { to: { file: { categories: 'repository' } } },
              message: 'A repository is private to its module: import that module\'s index.ts instead.',
            },
            {
              from: { element: { type: 'module' } },
              allow: { to: { element: { type: 'module', captured: { module: '{{ from.element.captured.module }}' } } } },
            },
          ],
        },
      ],
    },
  },
);
