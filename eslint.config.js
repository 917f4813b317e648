// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'var/**', 'bench/results*.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Safety rule 1, made structural (docs/safety.md): the pump programming door is
  // src/control/ and the pump families' programming codecs. Only src/control/ may load
  // them, and src/daemon/ (the wiring) may load src/control/. Everything else may at most
  // see their types. test/safety/programming-boundary.test.ts checks the same on the
  // whole import graph.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/control/**', 'src/daemon/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/control/**', '**/programming-commands*'],
              allowTypeImports: true,
              message: 'Only src/control/ may reach pump programming (safety rule 1); src/daemon/ wires it. Use `import type` for its types.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['drivers/**/*.ts', 'simulators/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/control/**', '**/programming-commands*'],
              allowTypeImports: true,
              message: 'Drivers and simulators never reach pump programming (safety rule 1): only src/control/ does.',
            },
          ],
        },
      ],
    },
  },
);
