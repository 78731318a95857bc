// The demo directory: six organisations, about 300 people with the names real rotas have
// (apostrophes, hyphens, accents, same-name pairs), generic mailboxes, a leaver, and the three
// demo accounts whose password is "demo". The same every time (a seeded generator).
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { people, settings } from '../db/schema.js';
import { systemActor } from '../directory/actor.js';
import { grantRole } from '../directory/accounts.service.js';
import type { Directory } from '../directory/directory.js';
import { createMailbox } from '../directory/mailboxes.service.js';
import { createOrganisation } from '../directory/organisations.service.js';
import { createJoiner, markLeaver } from '../directory/people.service.js';
import { hashPassword } from '../directory/secrets.js';
import { demoNames } from './names.js';

export const demoOrganisations = [
  { code: 'RXQ', name: 'Northbridge Teaching Hospitals NHS Foundation Trust', people: 110 },
  { code: 'RYF', name: 'Eastvale Community Health NHS Trust', people: 70 },
  { code: 'RWK', name: "St Aidan's Mental Health NHS Trust", people: 50 },
  { code: 'Y62', name: 'Pennine Lakes Integrated Care Board', people: 30 },
  { code: 'B86042', name: 'Riverside Medical Practice', people: 20, parent: 'Y62' },
  { code: 'RA9', name: 'Southmoor Ambulance Service NHS Trust', people: 20 },
];

const departments = [
  'Cardiology',
  'Emergency Department',
  'Paediatrics',
  'Radiology',
  'Pharmacy',
  'Estates',
  'Finance',
  'Human Resources',
  'Oncology',
  'Maternity',
  'IT Services',
  'Theatres',
];
const titles = [
  'Staff Nurse',
  'Consultant',
  'Healthcare Assistant',
  'Ward Sister',
  'Registrar',
  'Physiotherapist',
  'Pharmacist',
  'Porter',
  'Medical Secretary',
  'Radiographer',
  'Midwife',
  'Service Desk Analyst',
  'Finance Officer',
];
const sites = ['Main Hospital', 'North Wing', 'Riverside Clinic', 'Community Hub', 'Headquarters'];

/** mulberry32: small, seeded, good enough to pick names. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export async function demoLoaded(database: Database): Promise<boolean> {
  const [row] = await database.db.select().from(settings).where(eq(settings.key, 'demo_loaded'));
  return Boolean(row);
}

export async function loadDemo(directory: Directory, log: Logger): Promise<void> {
  const sys = systemActor;
  const rnd = random(2026);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const phone = (prefix: string) =>
    `${prefix} ${String(Math.floor(rnd() * 1e3)).padStart(3, '0')} ${String(Math.floor(rnd() * 1e4)).padStart(4, '0')}`;
  const loaded = await directory.run(async (ctx) => {
    // Claimed first: a second server loading at the same moment waits on this row, then finds it
    // taken and loads nothing.
    const [claimed] = await ctx.tx
      .insert(settings)
      .values({ key: 'demo_loaded', value: new Date().toISOString() })
      .onConflictDoNothing()
      .returning();
    if (!claimed) return false;
    for (const o of demoOrganisations)
      await createOrganisation(ctx, sys, { code: o.code, name: o.name, parentCode: o.parent ?? null });
    const [first] = demoOrganisations;
    // The demo accounts: password "demo" is below the usual minimum, so it is hashed here directly.
    const demoHash = await hashPassword('demo');
    const accounts = [
      { given: 'Demo', family: 'Admin', grant: { role: 'national_admin' as const } },
      { given: 'Demo', family: 'LA', grant: { role: 'local_admin' as const, orgCode: first.code } },
      { given: 'Demo', family: 'User', grant: null },
    ];
    for (const a of accounts) {
      const p = await createJoiner(ctx, sys, {
        givenName: a.given,
        familyName: a.family,
        orgCode: first.code,
        title: 'Demonstration Account',
        department: 'IT Services',
      });
      await ctx.tx.update(people).set({ passwordHash: demoHash }).where(eq(people.id, p.id));
      if (a.grant) await grantRole(ctx, sys, { uid: p.uid }, a.grant);
    }
    let n = 0;
    const owners: Record<string, string> = {};
    for (const o of demoOrganisations) {
      for (let i = 0; i < o.people; i++, n++) {
        const [given, family] = demoNames[n % demoNames.length];
        const p = await createJoiner(ctx, sys, {
          givenName: given,
          familyName: family,
          orgCode: o.code,
          hrKey: `${o.code}-${1000 + i}`,
          source: 'demo',
          title: pick(titles),
          department: pick(departments),
          site: pick(sites),
          telephone: phone('0113'),
          mobile: rnd() < 0.6 ? phone('07700') : null,
        });
        owners[o.code] ??= p.uid;
      }
    }
    for (const o of demoOrganisations.slice(0, 3)) {
      await createMailbox(ctx, sys, { name: `${o.code} Service Desk`, orgCode: o.code, ownerUid: owners[o.code] });
      await createMailbox(ctx, sys, { name: `${o.code} Pharmacy Team`, orgCode: o.code, ownerUid: owners[o.code] });
    }
    // One leaver, so that the rules about leavers can be seen.
    await markLeaver(ctx, sys, owners.RA9);
    return true;
  });
  if (loaded)
    log.info(
      'loaded the demo directory: 6 organisations, 303 people, 6 generic mailboxes; ' +
        'demo.admin, demo.la and demo.user sign in with the password "demo"',
    );
}
