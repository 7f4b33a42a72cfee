// node's own test runner and assert, for the type check of js/test (no @types/node here).
declare module "node:test";
declare module "node:assert/strict";
