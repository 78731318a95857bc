// What an address book is made of: the core's rows (src/model/rows.ts), read through its read API
// (src/directory/reads.ts `addressBook`), which reads them in keyset batches so that memory stays
// flat however large the organisation is.
export type { BookEntry } from '../directory/reads.js';
