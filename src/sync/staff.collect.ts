// First half of a staff run, before any lock is taken: read the snapshot, check each row against
// the organisation, find duplicated employee numbers, and reduce identifiers to keyed HMACs (raw NI
// numbers and dates of birth go no further than this file).
import type { Item, StaffRecord } from '../../connectors/index.js';
import { baseLocalPart } from '../directory/addresses.js';
import { DirectoryError } from '../directory/errors.js';
import { hasControls, phoneProblem } from '../directory/people.service.js';
import { identifierHmac } from '../directory/secrets.js';
import type { LineError } from './report.js';

/**
 * One valid row, as the engine keeps it (and a held run stores it): the preferred name as the given
 * name, identifiers as HMACs.
 */
export type FeedPerson = Omit<
  StaffRecord,
  'employeeNumber' | 'preferredName' | 'orgCode' | 'niNumber' | 'dateOfBirth'
> & {
  line: number;
  key: string;
  niHmac: string | null;
  dobHmac: string | null;
};

export interface Collected {
  rows: number;
  people: FeedPerson[];
  errors: LineError[];
  /** Employee numbers on rows with errors: those people are left exactly as they are. */
  protectedKeys: string[];
}

const name = (v: string) => v.normalize('NFC').replace(/\s+/g, ' ').trim();

export async function collectStaff(
  items: AsyncIterable<Item<StaffRecord>>,
  orgCode: string,
  identifierKey: string,
): Promise<Collected> {
  const errors: LineError[] = [];
  const protectedKeys = new Set<string>();
  const valid: { person: FeedPerson; keyColumn: number }[] = [];
  let rows = 0;
  for await (const item of items) {
    rows++;
    if ('error' in item) {
      errors.push({ line: item.line, ...item.error });
      if (item.key) protectedKeys.add(item.key);
      continue;
    }
    const r = item.record;
    const column = (f: keyof StaffRecord) => item.columns[f] ?? 0;
    const reject = (f: keyof StaffRecord, message: string) => {
      errors.push({ line: item.line, column: column(f), message });
      protectedKeys.add(r.employeeNumber);
    };
    if (r.orgCode !== orgCode) {
      reject('orgCode', `org_code ${r.orgCode} is not ${orgCode}, the organisation this feed is for`);
      continue;
    }
    // A value the core would refuse is this row's error, not the whole file's.
    const text = [
      'givenName',
      'familyName',
      'preferredName',
      'title',
      'department',
      'site',
      'telephone',
      'mobile',
    ] as const;
    const control = text.find((f) => r[f] && hasControls(r[f]!));
    if (control) {
      reject(control, `${control} contains a control character`);
      continue;
    }
    const badPhone = (['telephone', 'mobile'] as const).find((f) => r[f] && phoneProblem(r[f]!));
    if (badPhone) {
      reject(badPhone, `${badPhone === 'telephone' ? 'the work phone' : 'the mobile'} ${phoneProblem(r[badPhone]!)}`);
      continue;
    }
    const givenName = name(r.preferredName ?? r.givenName);
    const familyName = name(r.familyName);
    try {
      baseLocalPart(givenName, familyName);
    } catch (err) {
      if (!(err instanceof DirectoryError)) throw err;
      reject(r.preferredName ? 'preferredName' : 'givenName', err.message);
      continue;
    }
    valid.push({
      keyColumn: column('employeeNumber'),
      person: {
        line: item.line,
        key: r.employeeNumber,
        givenName,
        familyName,
        title: r.title,
        department: r.department,
        site: r.site,
        telephone: r.telephone,
        mobile: r.mobile,
        email: r.email?.toLowerCase() ?? null,
        startDate: r.startDate,
        endDate: r.endDate,
        niHmac: r.niNumber ? identifierHmac(identifierKey, 'ni', r.niNumber) : null,
        dobHmac: r.dateOfBirth ? identifierHmac(identifierKey, 'dob', r.dateOfBirth) : null,
      },
    });
  }
  // A duplicated employee number is ambiguous: none of its rows is applied, and its person stays.
  const lines = new Map<string, number[]>();
  for (const { person } of valid) lines.set(person.key, [...(lines.get(person.key) ?? []), person.line]);
  const people: FeedPerson[] = [];
  for (const { person, keyColumn } of valid) {
    const same = lines.get(person.key)!;
    if (same.length === 1) {
      people.push(person);
      continue;
    }
    errors.push({
      line: person.line,
      column: keyColumn,
      message: `employee_number ${person.key} appears more than once (lines ${same.join(', ')})`,
    });
    protectedKeys.add(person.key);
  }
  return { rows, people, errors, protectedKeys: [...protectedKeys] };
}
