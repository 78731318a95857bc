// `esr`: an ESR-style extract, one row per assignment, pipe-separated (contract section 5). A person
// with several assignments is one record; title, department and site come from the open assignment
// that started last. Assignments can come in any order, so the file is read whole before yielding.
import { z } from 'zod';
import { defineConnector, type Item, type StaffRecord } from '../connector.js';
import { cell, date, delimitedRows, headerIndex, optionalCell, required, RowError } from '../text.js';

const H = {
  employee: 'employee number',
  assignment: 'assignment number',
  first: 'first name',
  last: 'last name',
  knownAs: 'known as',
  org: 'organisation code',
  title: 'position title',
  department: 'department',
  location: 'location',
  phone: 'work phone',
  mobile: 'mobile',
  start: 'assignment start date',
  end: 'assignment end date',
  ni: 'ni number',
  dob: 'date of birth',
} as const;

interface Assignment {
  line: number;
  record: StaffRecord;
  start: string | null;
  end: string | null;
}

const today = () => new Date().toISOString().slice(0, 10);
const isOpen = (a: Assignment) => a.end === null || a.end >= today();
const latest = (a: string | null, b: string | null) => ((a ?? '') >= (b ?? '') ? a : b);

/** One person from their assignments: the open assignment that started last gives the job details. */
function merge(list: Assignment[]): StaffRecord {
  const open = list.filter(isOpen);
  const current = open.length ? open : list;
  const pick = current.reduce((a, b) => ((b.start ?? '') > (a.start ?? '') ? b : a));
  return {
    ...pick.record,
    startDate:
      current
        .map((a) => a.start)
        .filter((s): s is string => s !== null)
        .sort()[0] ?? null,
    // Left only when every assignment has ended: the last end date.
    endDate: open.length ? null : list.map((a) => a.end).reduce(latest),
  };
}

export const esrConnector = defineConnector({
  name: 'esr',
  kind: 'staff',
  config: z.object({}).strict(),
  async *read(feed) {
    const rows = delimitedRows(feed, '|');
    const col = headerIndex((await rows.next()).value || undefined, [H.employee, H.first, H.last, H.org]);
    const at = (h: string) => col.get(h);
    const columns: Partial<Record<keyof StaffRecord, number>> = {
      employeeNumber: at(H.employee)! + 1,
      givenName: at(H.first)! + 1,
      familyName: at(H.last)! + 1,
      orgCode: at(H.org)! + 1,
      ...(at(H.phone) !== undefined ? { telephone: at(H.phone)! + 1 } : {}),
      ...(at(H.mobile) !== undefined ? { mobile: at(H.mobile)! + 1 } : {}),
    };
    const people = new Map<string, Assignment[]>();
    const broken = new Set<string>(); // a person with one bad assignment is not applied at all
    for await (const { line, cells } of rows) {
      const key = cell(cells, at(H.employee)) ?? undefined;
      try {
        const start = date(cell(cells, at(H.start)), at(H.start)!, H.start, 'dmy');
        const end = date(cell(cells, at(H.end)), at(H.end)!, H.end, 'dmy');
        const record: StaffRecord = {
          employeeNumber: required(cells, at(H.employee)!, 'Employee Number'),
          givenName: required(cells, at(H.first)!, 'First Name'),
          familyName: required(cells, at(H.last)!, 'Last Name'),
          preferredName: cell(cells, at(H.knownAs)),
          orgCode: required(cells, at(H.org)!, 'Organisation Code').toUpperCase(),
          title: optionalCell(cells, at(H.title)),
          department: optionalCell(cells, at(H.department)),
          site: optionalCell(cells, at(H.location)),
          telephone: optionalCell(cells, at(H.phone)),
          mobile: optionalCell(cells, at(H.mobile)),
          email: null,
          startDate: start,
          endDate: end,
          niNumber: cell(cells, at(H.ni)),
          dateOfBirth: date(cell(cells, at(H.dob)), at(H.dob)!, H.dob, 'dmy'),
        };
        const list = people.get(record.employeeNumber) ?? [];
        list.push({ line, record, start, end });
        people.set(record.employeeNumber, list);
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        if (key) broken.add(key);
        yield { line, error: { column: err.column, message: err.message }, key } satisfies Item<StaffRecord>;
      }
    }
    for (const [key, list] of people) if (!broken.has(key)) yield { line: list[0].line, record: merge(list), columns };
  },
});
