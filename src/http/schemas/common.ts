// Small pieces several resources share.
import { z } from 'zod';

export const odsCode = z.string().regex(/^[A-Z0-9]{1,9}$/, 'an ODS code: 1 to 9 upper-case letters and digits');

// Entry rows carry their times as ISO text already (made by the database): parsing it again to
// print it the same way cost more than the rest of a search page.
export const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString());
