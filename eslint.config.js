// `npm run lint`: typescript-eslint's type-aware recommended rules over the sources, tests, bin and configs.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'runs/', 'scratch/', '.vite/', 'docs/api/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['bin/*.js', 'examples/*.js', 'eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Shapes and vectors are printed as comma lists on purpose (`shape [${shape}]`).
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowArray: true }],
      // Executors and exporters implement async interfaces; some do it synchronously, without an await.
      '@typescript-eslint/require-await': 'off',
      // A leading underscore or a rest sibling drops a field or argument on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  { files: ['viewer/**'], languageOptions: { globals: { ...globals.browser } } },
  {
    // Tests read back the JSON the CLI and the library wrote (JSON.parse gives any) and check it with expect().
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
