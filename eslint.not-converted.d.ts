// Types of eslint.not-converted.js, for tests/uow-fence.test.ts.
export declare const NOT_CONVERTED: string[];
