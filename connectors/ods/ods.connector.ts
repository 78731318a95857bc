// `ods`: organisation reference data in the ODS CSV layout (epraccur.csv, etr.csv): no header;
// column 1 code, 2 name, 11 open date, 12 close date (YYYYMMDD), 13 status; the rest ignored.
import { z } from 'zod';
import { defineConnector, type OrganisationRecord } from '../connector.js';
import { cell, date, delimitedRows, required, RowError } from '../text.js';

const statuses = new Set(['A', 'C', 'D', 'P']);

export const odsConnector = defineConnector({
  name: 'ods',
  kind: 'organisations',
  config: z.object({}).strict(),
  async *read(feed) {
    for await (const { line, cells } of delimitedRows(feed, ',')) {
      try {
        const code = required(cells, 0, 'code').toUpperCase();
        if (!/^[A-Z0-9]{1,9}$/.test(code)) throw new RowError(1, `"${code}" is not an ODS code`);
        const status = required(cells, 12, 'status (column 13)').toUpperCase();
        if (!statuses.has(status)) throw new RowError(13, `status "${status}" is not one of A, C, D, P`);
        const record: OrganisationRecord = {
          code,
          name: required(cells, 1, 'name'),
          status: status as OrganisationRecord['status'],
          openDate: date(cell(cells, 10), 10, 'open date', 'compact'),
          closeDate: date(cell(cells, 11), 11, 'close date', 'compact'),
        };
        yield { line, record, columns: { code: 1, name: 2, openDate: 11, closeDate: 12, status: 13 } };
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        yield { line, error: { column: err.column, message: err.message }, key: cell(cells, 0) ?? undefined };
      }
    }
  },
});
