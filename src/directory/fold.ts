// The fold lives in the leaf module src/model/fold.ts (storage and the core both use it);
// re-exported here so that code written against the old place still builds.
export * from '../model/fold.js';
