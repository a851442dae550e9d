// Lint rules, including the process-boundary rules from STYLE.md: only electron/ imports electron,
// the renderer imports nothing from Node, common/ imports only zod, viem and tiny-secp256k1, and no raw HTML sinks exist.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeOnly = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'http',
  'net',
  'crypto',
  'better-sqlite3',
  'onnxruntime-node',
  'pino',
  'pino-roll',
  'ws',
];

const htmlSinks = [
  { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'No raw HTML sinks (SECURITY.md 5).' },
  { selector: "MemberExpression[property.name=/^(innerHTML|outerHTML)$/]", message: 'No raw HTML sinks (SECURITY.md 5).' },
  { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'No raw HTML sinks (SECURITY.md 5).' },
  { selector: "CallExpression[callee.name='eval']", message: 'No eval (SECURITY.md 5).' },
  { selector: "NewExpression[callee.name='Function']", message: 'No new Function (SECURITY.md 5).' },
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', ...htmlSinks],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only electron/ may import electron.' }] },
      ],
    },
  },
  {
    files: ['electron/**/*.ts', 'test/electron/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!zod$|viem$|viem/accounts$|tiny-secp256k1$|\\./|\\.\\./[a-z-]+\\.js$).*', message: 'common/ imports nobody but zod, viem (with viem/accounts), tiny-secp256k1 and itself.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer never imports electron.' }],
          patterns: [
            { group: nodeOnly, message: 'The renderer runs in a browser: no Node modules.' },
            { group: ['**/provider/**', '**/electron/**', '**/worker/**', '**/marketplace/**'], message: 'The renderer reaches the provider only through the API contract in common/.' },
          ],
        },
      ],
    },
  },
);
