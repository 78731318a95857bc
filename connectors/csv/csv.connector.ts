// `csv`: the canonical staff feed (contract section 5): a header row, columns in any order and
// any case, unknown columns ignored.
import { z } from 'zod';
import { defineConnector, type Item, type StaffRecord } from '../connector.js';
import { cell, date, delimitedRows, headerIndex, optionalCell, required, RowError } from '../text.js';

const requiredColumns = ['employee_number', 'given_name', 'family_name', 'org_code'] as const;
const optional = {
  preferredName: 'preferred_name',
  title: 'job_title',
  department: 'department',
  site: 'site',
  telephone: 'work_phone',
  mobile: 'mobile',
  email: 'email',
  niNumber: 'ni_number',
} as const;

export const csvConnector = defineConnector({
  name: 'csv',
  kind: 'staff',
  config: z.object({}).strict(),
  async *read(feed) {
    const rows = delimitedRows(feed, ',');
    const col = headerIndex((await rows.next()).value || undefined, requiredColumns);
    const at = (name: string) => col.get(name);
    const columns: Partial<Record<keyof StaffRecord, number>> = {};
    for (const [field, name] of Object.entries({
      ...optional,
      employeeNumber: 'employee_number',
      givenName: 'given_name',
      familyName: 'family_name',
      orgCode: 'org_code',
      startDate: 'start_date',
      endDate: 'end_date',
      dateOfBirth: 'date_of_birth',
    })) {
      const i = at(name);
      if (i !== undefined) columns[field as keyof StaffRecord] = i + 1;
    }
    for await (const { line, cells } of rows) {
      const key = cell(cells, at('employee_number')) ?? undefined;
      try {
        const record: StaffRecord = {
          employeeNumber: required(cells, at('employee_number')!, 'employee_number'),
          givenName: required(cells, at('given_name')!, 'given_name'),
          familyName: required(cells, at('family_name')!, 'family_name'),
          orgCode: required(cells, at('org_code')!, 'org_code').toUpperCase(),
          startDate: date(cell(cells, at('start_date')), at('start_date')!, 'start_date', 'iso'),
          endDate: date(cell(cells, at('end_date')), at('end_date')!, 'end_date', 'iso'),
          dateOfBirth: date(cell(cells, at('date_of_birth')), at('date_of_birth')!, 'date_of_birth', 'iso'),
          ...(Object.fromEntries(
            Object.entries(optional).map(([field, name]) => [field, optionalCell(cells, at(name))]),
          ) as Pick<StaffRecord, keyof typeof optional>),
        };
        yield { line, record, columns } satisfies Item<StaffRecord>;
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        yield { line, error: { column: err.column, message: err.message }, key };
      }
    }
  },
});
