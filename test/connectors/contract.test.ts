// One contract for every connector: the same people (or organisations) read from each kind of
// source come out as the same typed records, each with its line; an unreadable source is rejected
// whole; a bad configuration is refused; and every registered connector is covered here.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import t, { type Test } from 'tap';
import {
  connectors,
  FeedRejected,
  getConnector,
  UnknownConnector,
  type Item,
  type FeedStream,
  type StaffRecord,
} from '../../connectors/index.js';
import { ldapFixture, passwords } from '../helpers/ldap.js';
import { slapdMissing, staffEntry, startSlapd, trustBase } from '../helpers/slapd.js';

const file = (text: string | Buffer): FeedStream => ({ stream: Readable.from([Buffer.from(text)]), orgCode: 'RXA' });
const garbage = () => file(Buffer.concat([randomBytes(3000), Buffer.from([0, 0xff, 0xfe])]));

const expected = [
  {
    employeeNumber: 'E1',
    givenName: 'Jane',
    familyName: 'Smith',
    preferredName: null,
    title: 'Staff Nurse',
    department: 'Cardiology',
    orgCode: 'RXA',
  },
  {
    employeeNumber: 'E2',
    givenName: 'Robert',
    familyName: 'Brown',
    preferredName: 'Bob',
    title: 'Consultant',
    department: 'Cardiology',
    orgCode: 'RXA',
  },
  {
    employeeNumber: 'E3',
    givenName: 'Siân',
    familyName: 'Jones',
    preferredName: null,
    title: 'Porter',
    department: 'Estates',
    orgCode: 'RXA',
  },
];

interface StaffCase {
  source: () => FeedStream;
  config: Record<string, unknown>;
  unreadable: () => { source: FeedStream; config: Record<string, unknown> };
}

async function read<R>(name: string, source: FeedStream, config: unknown): Promise<Item<R>[]> {
  const c = getConnector(name);
  const items: Item<R>[] = [];
  for await (const item of c.read(source, c.config.parse(config))) items.push(item as Item<R>);
  return items;
}

function staffContract(name: string, setup: (t: Test) => Promise<StaffCase>, skip: string | false = false) {
  t.test(`connector ${name} keeps the staff-connector contract`, { skip }, async (t) => {
    const c = await setup(t);
    const items = await read<StaffRecord>(name, c.source(), c.config);
    const records = items
      .flatMap((i) => ('record' in i ? [i.record] : []))
      .sort((a, b) => a.employeeNumber.localeCompare(b.employeeNumber));
    t.match(records, expected, 'the same people, field for field');
    t.equal(records.length, 3);
    t.ok(
      items.every((i) => Number.isInteger(i.line) && i.line > 0),
      'every record has its line',
    );
    t.equal(new Set(items.map((i) => i.line)).size, items.length, 'lines are distinct');
    const bad = c.unreadable();
    await t.rejects(read(name, bad.source, bad.config), FeedRejected, 'an unreadable source is rejected whole');
    t.notOk(
      getConnector(name).config.safeParse({ ...c.config, no_such_option: 1 }).success,
      'an unknown option is refused',
    );
  });
}

staffContract('csv', async () => {
  const csv =
    '\ufeffEmployee_Number,GIVEN_NAME,family_name,preferred_name,org_code,job_title,department,unknown_column\n' +
    'E1,Jane,Smith,,RXA,Staff Nurse,Cardiology,x\nE2,Robert,Brown,Bob,rxa,Consultant,Cardiology,\n"E3","Siân","Jones",,RXA,"Porter",Estates,""\n';
  return { source: () => file(csv), config: {}, unreadable: () => ({ source: garbage(), config: {} }) };
});

staffContract('esr', async () => {
  const header =
    'Employee Number|Assignment Number|First Name|Last Name|Known As|Organisation Code|Position Title|Department|Location|Work Phone|Mobile|Assignment Start Date|Assignment End Date|NI Number|Date of Birth';
  const rows = [
    'E2|E2-1|Robert|Brown|Bob|RXA|Registrar|Cardiology|Main|||01/01/2015|||01/02/1970',
    'E1|E1-1|Jane|Smith||RXA|Staff Nurse|Cardiology|Main|||01/03/2019||AB123456C|',
    'E2|E2-3|Robert|Brown|Bob|RXA|Clinical Director|Management|Main|||01/06/2023|31/12/2023||01/02/1970',
    'E3|E3-1|Siân|Jones||RXA|Porter|Estates||||01/01/2020|||',
    'E2|E2-2|Robert|Brown|Bob|RXA|Consultant|Cardiology|Main|||01/01/2020|||01/02/1970',
  ];
  const esr = [header, ...rows].join('\r\n');
  return { source: () => file(esr), config: {}, unreadable: () => ({ source: garbage(), config: {} }) };
});

staffContract(
  'ldap',
  async (t) => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const ldif =
      trustBase +
      [
        staffEntry({ id: 'E1', given: 'Jane', sn: 'Smith', title: 'Staff Nurse', ou: 'Cardiology' }),
        staffEntry({ id: 'E2', given: 'Robert', sn: 'Brown', title: 'Consultant', ou: 'Cardiology', known: 'Bob' }),
        staffEntry({ id: 'E3', given: 'Sian', sn: 'Jones', title: 'Porter', ou: 'Estates' }).replace(
          'givenName: Sian',
          `givenName:: ${b64('Siân')}`,
        ),
        // Two more than slapd's size limit of 3 allows without paging; not people of this feed's filter.
        staffEntry({ id: 'X1', given: 'Not', sn: 'Staff', title: 'Contractor' }),
        staffEntry({ id: 'X2', given: 'Also', sn: 'Not', title: 'Contractor' }),
      ].join('\n');
    const slapd = await startSlapd(t, ldif);
    const config = {
      url: slapd.url,
      base: 'ou=Staff,dc=trust,dc=example',
      filter: '(&(objectClass=inetOrgPerson)(!(title=Contractor)))',
      page_size: 2,
      attributes: { department: 'ou', preferredName: 'displayName' },
    };
    t.test('paging reads past the server size limit', async (t) => {
      const all = await read<StaffRecord>(
        'ldap',
        { orgCode: 'RXA' },
        { ...config, filter: '(objectClass=inetOrgPerson)' },
      );
      t.equal(all.length, 5);
    });
    return {
      source: () => ({ orgCode: 'RXA' }),
      config,
      unreadable: () => ({
        source: { orgCode: 'RXA' },
        config: { ...config, url: 'ldap://127.0.0.1:1', timeout_ms: 2000 },
      }),
    };
  },
  slapdMissing,
);

t.test('the ldap connector reads our own LDAP server too', async (t) => {
  const { url } = await ldapFixture(t);
  const config = {
    url,
    bind_dn: 'uid=jane.smith,ou=People,o=nhs',
    password: passwords.jane,
    base: 'ou=People,o=nhs',
    filter: '(nhsOrgCode=RXA)',
    page_size: 2,
    attributes: { employeeNumber: 'uid', department: 'ou' },
  };
  const items = await read<StaffRecord>('ldap', { orgCode: 'RXA' }, config);
  t.same(
    items.flatMap((i) => ('record' in i ? [i.record.employeeNumber] : [])).sort(),
    ['ann.admin', 'jane.smith', 'john.smithson', 'mary.jones', 'sian.obrien-smith'],
    'a user sees no leavers; uids never change',
  );
  t.match(
    items.find((i) => 'record' in i && i.record.employeeNumber === 'jane.smith'),
    { record: { givenName: 'Jane', title: 'Staff Nurse', department: 'Cardiology', email: 'jane.smith@nhs.net' } },
  );
  await t.rejects(
    read('ldap', { orgCode: 'RXA' }, { ...config, password: 'wrong' }),
    FeedRejected,
    'a refused bind rejects the run',
  );
});

t.test('connector ods keeps the organisation-connector contract', async (t) => {
  const row = (code: string, name: string, status: string, close = '') =>
    `"${code}","${name}","Y60","Q71","1 Road","","","Town","","AB1 2CD","19740401","${close}","${status}","O","1","",""`;
  const items = await read(
    'ods',
    file(
      [
        row('RXA', 'Alpha Hospitals NHS Trust', 'A'),
        row('RXB', 'Beta Trust', 'C', '20240331'),
        '"RXC","Gamma","","","","","","","","","19740401","","Z"',
        row('rx-d', 'Bad code', 'A'),
      ].join('\r\n'),
    ),
    {},
  );
  t.match(items, [
    {
      line: 1,
      record: { code: 'RXA', name: 'Alpha Hospitals NHS Trust', status: 'A', openDate: '1974-04-01', closeDate: null },
    },
    { line: 2, record: { code: 'RXB', status: 'C', closeDate: '2024-03-31' } },
    { line: 3, error: { column: 13, message: /status "Z"/ } },
    { line: 4, error: { column: 1 } },
  ]);
  await t.rejects(read('ods', garbage(), {}), FeedRejected);
});

t.test('connector ods-successions keeps the organisation-connector contract', async (t) => {
  const items = await read(
    'ods-successions',
    file('predecessor_code,successor_code,effective_date\nRXB,RXA,20240401\nRXC,RXA,2024-04-31\n'),
    {},
  );
  t.match(items, [
    { line: 2, record: { predecessorCode: 'RXB', successorCode: 'RXA', effectiveDate: '2024-04-01' } },
    { line: 3, error: { column: 3, message: /not a date/ } },
  ]);
  await t.rejects(read('ods-successions', file('code,name\nA,B\n'), {}), FeedRejected, 'a header without the columns');
  await t.rejects(read('ods-successions', garbage(), {}), FeedRejected);
});

t.test('the registry: every connector is covered above; an unknown name is a typed error', async (t) => {
  t.same(Object.keys(connectors).sort(), ['csv', 'esr', 'ldap', 'ods', 'ods-successions']);
  t.throws(() => getConnector('sap'), UnknownConnector);
  t.throws(() => getConnector('toString'), UnknownConnector, 'no inherited names');
});
