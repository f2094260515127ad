/**
 * How cells are type-checked, over tslab's converter defaults (ES2022, ESNext modules): the project's
 * strictness and module resolution (`Bundler`, as tsconfig.json, so packages with `exports` maps such as
 * zod 4 type-check as in the project). `noImplicitAny` stays off so untyped packages and plain .js files
 * import as they do in tslab. The kernel's executor and the cell language service
 * (kernel/runtime/language/service.ts) both use these, so a squiggle means the kernel would refuse the cell.
 */
export const CELL_CHECK_OPTIONS = { strict: true, noImplicitAny: false, moduleResolution: 100 /* ts.ModuleResolutionKind.Bundler */ } as const;
