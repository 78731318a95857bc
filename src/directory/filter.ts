// The filter type lives in the leaf module src/model/filter.ts (storage compiles it, the core and
// the front ends build it); re-exported here so that code written against the old place still builds.
export * from '../model/filter.js';
