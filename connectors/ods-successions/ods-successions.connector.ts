// `ods-successions`: mergers, `predecessor_code,successor_code,effective_date` with a header row.
// The date is taken as YYYY-MM-DD or as ODS's own YYYYMMDD.
import { z } from 'zod';
import { defineConnector, type SuccessionRecord } from '../connector.js';
import { cell, date, delimitedRows, headerIndex, required, RowError } from '../text.js';

export const odsSuccessionsConnector = defineConnector({
  name: 'ods-successions',
  kind: 'successions',
  config: z.object({}).strict(),
  async *read(feed) {
    const rows = delimitedRows(feed, ',');
    const col = headerIndex((await rows.next()).value || undefined, [
      'predecessor_code',
      'successor_code',
      'effective_date',
    ]);
    const [p, s, d] = ['predecessor_code', 'successor_code', 'effective_date'].map((h) => col.get(h)!);
    for await (const { line, cells } of rows) {
      try {
        const raw = required(cells, d, 'effective_date');
        const record: SuccessionRecord = {
          predecessorCode: required(cells, p, 'predecessor_code').toUpperCase(),
          successorCode: required(cells, s, 'successor_code').toUpperCase(),
          effectiveDate: date(raw, d, 'effective_date', raw.includes('-') ? 'iso' : 'compact')!,
        };
        yield { line, record, columns: { predecessorCode: p + 1, successorCode: s + 1, effectiveDate: d + 1 } };
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        yield { line, error: { column: err.column, message: err.message }, key: cell(cells, p) ?? undefined };
      }
    }
  },
});
