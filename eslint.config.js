// Lint: typescript-eslint's recommended rules, a complexity limit, and the layers as import rules
// (front ends and sync never reach storage; storage never reaches the core).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const storage = { group: ['**/db/*', '**/db/**'], message: 'Front ends and sync go through the core (src/directory).' };

export default tseslint.config(
  { ignores: ['node_modules/', 'bench/.work/', 'openapi/', 'migrations/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      complexity: ['error', 25],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The benches read their load generators' results as JSON.
  { files: ['bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['src/ldap/**', 'src/http/**', 'src/export/**', 'src/sync/**', 'src/web/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [storage] }] },
  },
  {
    files: ['src/db/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/directory/*'], message: 'Storage sits below the core.' }] },
      ],
    },
  },
);
