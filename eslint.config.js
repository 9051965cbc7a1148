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
    // The policy engine's parser and evaluator are pure; policy/facts and policy/runtime read the log and the
    // store through their ports. Image references are parsed by oci/reference.ts, which does no I/O either.
    files: ['src/core/**', 'src/merkle/**', 'src/formats/**', 'src/crypto/**', 'src/policy/*.ts', 'src/policy/document/**', 'src/policy/evaluate/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:fs', 'node:fs/*', 'node:net', 'node:http', 'node:https', 'node:child_process'], message: 'Pure layers do no I/O.' },
            { group: ['**/oci/**', '!**/oci/reference.js', '**/store/**', '**/cli/**', '**/server/**'], message: 'Imports go downward only.' },
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
