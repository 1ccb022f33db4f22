// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * A `no-restricted-imports` rule for `files`. Flat config keeps one value per rule and
 * file, so the patterns every file shares are repeated in each narrower block.
 */
const shared = [];
/** What tests may read of the domain beyond its surface (its statements) is theirs alone. */
const TESTING_SURFACE = {
  regex: '^@app/domain/testing$',
  message: 'Only tests and benchmarks import @app/domain/testing.',
};
const isTestCode = (files) => /^(\{test,bench\}|test|bench)\//.test(files);
function restrictImports(files, patterns) {
  if (files === '**/*.ts') shared.push(...patterns);
  const inherited = isTestCode(files) ? shared.filter((p) => p !== TESTING_SURFACE) : shared;
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: files === '**/*.ts' ? patterns : [...inherited, ...patterns] },
        ],
      },
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bench/.data/**',
      'bench/tmp/**',
      '.postmand/**',
      'test/artifacts/**',
      // Generated from the served OpenAPI document (test/ui/api-types keeps it current).
      'apps/ui/src/api/schema.d.ts',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // The architecture's forbidden arrows (docs/architecture.md): each a lint error.
  ...restrictImports('**/*.ts', [
    {
      regex: '^@app/(domain|platform)/(?!testing$)|libs/(domain|platform)/src',
      message: 'Import a library through its public surface: @app/domain or @app/platform.',
    },
    TESTING_SURFACE,
  ]),
  ...restrictImports('{test,bench}/**/*.ts', []),
  ...restrictImports('libs/domain/**/*.ts', [
    { regex: '(^|/)apps/', message: 'The domain never imports from an app.' },
  ]),
  // The domain's rules are pure functions: data in, decisions out (unit-tested alone).
  ...restrictImports('libs/domain/**/*.rules.ts', [
    { regex: '(^|/)apps/', message: 'The domain never imports from an app.' },
    {
      regex: '\\.(repository|service|sql)$|^typeorm$|^pg$|^@nestjs/',
      message:
        'A rule is a pure function: it never imports a repository, a service, SQL or the database (types live in *.types.ts).',
    },
  ]),
  ...restrictImports('libs/platform/**/*.ts', [
    {
      regex: '^@app/domain|(^|/)apps/|/domain/',
      message: 'The platform knows nothing of the domain or the apps.',
    },
  ]),
  ...restrictImports('apps/api/**/*.ts', [
    { regex: '(^|/)worker/', message: 'The API never imports from the worker.' },
  ]),
  ...restrictImports('apps/worker/**/*.ts', [
    { regex: '(^|/)api/', message: 'The worker never imports from the API.' },
  ]),
  // Benchmarks share test code only through test/support/, which itself needs nothing else of test/.
  ...restrictImports('bench/**/*.ts', [
    {
      regex: '(^|/)test/(?!support/)',
      message: 'bench/ imports from test/ only through test/support/.',
    },
  ]),
  ...restrictImports('test/support/**/*.ts', [
    {
      regex: '^\\.\\./[^.]',
      message: 'test/support/ is shared with bench/: it imports nothing else of test/.',
    },
  ]),
  // The dashboard is a client of the public API: it reaches the service only over HTTP.
  ...restrictImports('apps/ui/src/**/*.{ts,tsx}', [
    {
      regex: '^@app/|^node:|(^|/)libs/|(^|/)apps/(api|worker|cli)/',
      message: 'The dashboard uses the public API only, through its generated client.',
    },
  ]),
  {
    // Nest resolves constructor parameters from emitted decorator metadata: a class used
    // only as a type there must still be a value import.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // The repositories of tenant-owned tables (§11, §12): every read takes a Scope, which
    // TypeORM's find helpers cannot carry. A read written with them would see every tenant.
    files: [
      'libs/domain/src/webhook/*.repository.ts',
      'libs/domain/src/delivery/*.repository.ts',
      'libs/domain/src/delivery-attempt/*.repository.ts',
      'libs/domain/src/event/*.repository.ts',
      'libs/domain/src/stats/*.repository.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name=/^(find|findBy|findOne|findOneBy|findAndCount|count|exist|exists|existsBy)$/][callee.object.type='CallExpression']",
          message:
            'A read of a tenant-owned table takes a Scope (tenant/scope.ts): write it with andScope or whereScope (tenant/scope.sql.ts); getRepository(…).find*/count cannot carry one.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    // supertest bodies are `any` by design; the assertions are the type check there.
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  prettier,
);
