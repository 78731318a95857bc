// Staff feed rows as an HR system sends them (the csv connector's columns), generated: bench:sync
// and bench:cluster apply the same files.
import { family, given } from '../ldap/names.js';

export const header =
  'employee_number,given_name,family_name,preferred_name,org_code,job_title,department,site,work_phone,mobile,email,start_date,end_date,ni_number,date_of_birth';
const titles = [
  'Staff Nurse',
  'Healthcare Assistant',
  'Consultant',
  'Porter',
  'Pharmacist',
  'Administrator',
  'Physiotherapist',
  'Midwife',
];
const departments = [
  'Cardiology',
  'Emergency',
  'Estates',
  'Maternity',
  'Pharmacy',
  'Radiology',
  'Theatres',
  'Outpatients',
];

export function row(org: string, i: number, title = titles[i % titles.length]) {
  const g = given[i % given.length];
  const f = family[Math.floor(i / given.length) % family.length];
  const ni = `QQ${String(100000 + (i % 900000)).padStart(6, '0')}${'ABCD'[i % 4]}`;
  return `${org}-${i},${g},${f},,${org},${title},${departments[(i >> 3) % departments.length]},Main Site,0113 ${String(4960000 + i).slice(-7)},,,2015-04-01,,${ni},19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 9}`;
}

/** A feed file's text: the header, then the rows. */
export const feedText = (rows: string[]) => `${header}\n${rows.join('\n')}\n`;
