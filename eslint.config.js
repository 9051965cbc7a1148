import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'SwitchCase[test=null]', message: 'Switch exhaustively over tagged unions; no default branch.' },
      ],
    },
  },
  {
    files: ['src/core/**', 'src/merkle/**', 'src/formats/**', 'src/crypto/**', 'src/policy/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:fs', 'node:fs/*', 'node:net', 'node:http', 'node:https', 'node:child_process'], message: 'Pure layers do no I/O.' },
            { group: ['**/oci/**', '**/store/**', '**/cli/**', '**/server/**'], message: 'Imports go downward only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
