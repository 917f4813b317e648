// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results*.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/control/pump-programming*', '**/pump-programming*'],
              message: 'Only src/control/ may reach a pump programming interface (safety rule 1).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/control/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
