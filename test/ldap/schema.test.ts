// cn=Subschema holds every definition its entries use (RFC 4512 section 4.2), consistently: every name
// a definition gives resolves, and every entry the server serves lists valid classes (one structural
// chain, auxiliary classes that do not subclass structural ones) and only attributes they allow.
import t from 'tap';
import { ldapFixture, ldapsearch, passwords, type LdifEntry } from '../helpers/ldap.js';

interface Def {
  oid: string;
  names: string[];
  sup: string[];
  kind?: string;
  must: string[];
  may: string[];
  equality?: string;
  ordering?: string;
  substr?: string;
  syntax?: string;
  usage?: string;
}

/** The fields of an RFC 4512 description that name other definitions. */
function parse(text: string): Def {
  const tokens = text.match(/'(?:[^'\\]|\\.)*'|[()$]|[^\s()$']+/g) ?? [];
  if (tokens[0] !== '(' || tokens.at(-1) !== ')') throw new Error(`not a definition: ${text}`);
  let i = 1;
  const oid = tokens[i++];
  const list = (): string[] => {
    if (tokens[i] !== '(') return [tokens[i++].replace(/^'|'$/g, '')];
    const out: string[] = [];
    for (i++; tokens[i] !== ')'; i++) if (tokens[i] !== '$') out.push(tokens[i].replace(/^'|'$/g, ''));
    i++;
    return out;
  };
  const def: Def = { oid, names: [], sup: [], must: [], may: [] };
  while (i < tokens.length - 1) {
    const key = tokens[i++];
    if (key === 'NAME') def.names = list();
    else if (key === 'SUP') def.sup = list();
    else if (key === 'MUST') def.must = list();
    else if (key === 'MAY') def.may = list();
    else if (key === 'DESC') i++;
    else if (key === 'EQUALITY') def.equality = tokens[i++];
    else if (key === 'ORDERING') def.ordering = tokens[i++];
    else if (key === 'SUBSTR') def.substr = tokens[i++];
    else if (key === 'SYNTAX') def.syntax = tokens[i++].replace(/\{\d+\}$/, '');
    else if (key === 'USAGE') def.usage = tokens[i++];
    else if (['ABSTRACT', 'STRUCTURAL', 'AUXILIARY'].includes(key)) def.kind = key;
    else if (!['SINGLE-VALUE', 'NO-USER-MODIFICATION', 'COLLECTIVE', 'OBSOLETE'].includes(key)) {
      throw new Error(`unexpected ${key} in ${text}`);
    }
  }
  return def;
}

/** Definitions by lower-cased OID and name. */
function index(defs: Def[]) {
  const by = new Map<string, Def>();
  for (const d of defs) {
    for (const key of [d.oid, ...d.names].map((k) => k.toLowerCase())) {
      if (by.has(key)) throw new Error(`${key} is defined twice`);
      by.set(key, d);
    }
  }
  return by;
}

async function readAll(url: string) {
  const as = ['-H', url, '-D', 'cn=national,ou=Services,o=nhs', '-w', passwords.national];
  const read = async (base: string, scope: string) => {
    const res = await ldapsearch([...as, '-b', base, '-s', scope, '(objectClass=*)', '*', '+']);
    if (res.code !== 0) throw new Error(`search of ${base} failed: ${res.stderr}`);
    return res.entries;
  };
  const [subschema] = await read('cn=Subschema', 'base');
  const entries = [
    ...(await read('', 'base')),
    subschema,
    ...(await read('o=nhs', 'sub')),
    ...(await read('ou=AddressBooks,o=nhs', 'sub')),
    ...(await read('cn=changelog', 'sub')),
  ];
  return { subschema, entries };
}

t.test('cn=Subschema is complete and consistent', async (t) => {
  const { url } = await ldapFixture(t);
  const { subschema, entries } = await readAll(url);
  const a = subschema.attrs;
  const syntaxes = new Set((a.ldapSyntaxes ?? []).map((s) => parse(s).oid));
  const rules = index((a.matchingRules ?? []).map(parse));
  const types = index((a.attributeTypes ?? []).map(parse));
  const classes = index((a.objectClasses ?? []).map(parse));
  t.ok(types.size > 60 && classes.size > 10, 'the standard definitions are published beside the nhs* ones');

  // Every name a definition gives resolves, and every syntax and rule published is named by one.
  const named = { syntaxes: new Set<string>(), rules: new Set<Def>() };
  const unresolved: string[] = [];
  const syntax = (s: string | undefined, by: string) => {
    if (!s) return;
    named.syntaxes.add(s);
    if (!syntaxes.has(s)) unresolved.push(`syntax ${s} of ${by}`);
  };
  const rule = (r: string | undefined, by: string) => {
    if (!r) return;
    const d = rules.get(r.toLowerCase());
    if (d) named.rules.add(d);
    else unresolved.push(`matching rule ${r} of ${by}`);
  };
  for (const d of new Set(rules.values())) syntax(d.syntax, d.names[0]);
  for (const d of new Set(types.values())) {
    const name = d.names[0];
    syntax(d.syntax, name);
    for (const r of [d.equality, d.ordering, d.substr]) rule(r, name);
    for (const s of d.sup) if (!types.has(s.toLowerCase())) unresolved.push(`superior ${s} of ${name}`);
    if (!d.syntax && !d.sup.length) unresolved.push(`${name} has neither SYNTAX nor SUP (RFC 4512 section 4.1.2)`);
  }
  for (const d of new Set(classes.values())) {
    const name = d.names[0];
    for (const s of d.sup) if (!classes.has(s.toLowerCase())) unresolved.push(`superior ${s} of ${name}`);
    for (const x of [...d.must, ...d.may]) if (!types.has(x.toLowerCase())) unresolved.push(`${x} of ${name}`);
  }
  t.same(unresolved, [], 'every name a definition gives is defined');
  t.same(
    [...syntaxes].filter((s) => !named.syntaxes.has(s)),
    [],
    'every syntax published is used',
  );
  t.same(
    [...new Set(rules.values())].filter((r) => !named.rules.has(r)).map((r) => r.names[0]),
    [],
    'every matching rule published is used',
  );

  // RFC 4512 section 2.4.3: an auxiliary class may not subclass a structural one (nor a structural an
  // auxiliary one, section 2.4.2).
  const chain = (c: Def): Def[] => [
    c,
    ...c.sup.flatMap((s) => {
      const d = classes.get(s.toLowerCase());
      return d ? chain(d) : [];
    }),
  ];
  for (const c of new Set(classes.values())) {
    const supers = chain(c)
      .slice(1)
      .filter((s) => s.kind !== 'ABSTRACT');
    const wrong =
      c.kind === 'AUXILIARY'
        ? supers.filter((s) => s.kind === 'STRUCTURAL')
        : c.kind === 'STRUCTURAL'
          ? supers.filter((s) => s.kind !== 'STRUCTURAL')
          : [];
    t.same(
      wrong.map((s) => s.names[0]),
      [],
      `the superclasses of ${c.names[0]}`,
    );
  }
  const nhsPerson = classes.get('nhsperson')!;
  t.same([nhsPerson.kind, nhsPerson.sup], ['AUXILIARY', ['top']], 'nhsPerson is SUP top AUXILIARY');
  const mailbox = classes.get('nhsgenericmailbox')!;
  t.same([mailbox.kind, mailbox.sup], ['AUXILIARY', ['top']], 'nhsGenericMailbox is SUP top AUXILIARY');

  // Every entry served uses only published definitions, and its classes allow what it holds.
  const kinds = new Set<string>();
  for (const e of entries) {
    t.same(entryProblems(e, types, classes, chain), [], `entry "${e.dn}"`);
    kinds.add(e.attrs.objectClass.join(' '));
  }
  t.ok(kinds.size >= 8, `each kind of entry was read: ${[...kinds].join('; ')}`);
});

// Attributes an entry holds but does not return: a service's password (simpleSecurityObject) is never
// read out, and the subschema entry, like OpenLDAP's, gives no subtreeSpecification.
const withheld = new Set(['userpassword', 'subtreespecification']);

function entryProblems(e: LdifEntry, types: Map<string, Def>, classes: Map<string, Def>, chain: (c: Def) => Def[]) {
  const problems: string[] = [];
  for (const name of Object.keys(e.attrs)) if (!types.has(name.toLowerCase())) problems.push(`${name} is not defined`);
  const listed = e.attrs.objectClass.map((c) => classes.get(c.toLowerCase()));
  if (listed.some((c) => !c)) return [...problems, `an object class is not defined: ${e.attrs.objectClass}`];
  const all = new Set(listed.flatMap((c) => chain(c!)));
  const structural = [...all].filter((c) => c.kind === 'STRUCTURAL');
  // One structural chain (RFC 4512 section 2.4.2): its most specific class has all the others above it.
  const leaf = structural.find((c) => structural.every((s) => chain(c).includes(s)));
  if (e.dn !== '' && !leaf) problems.push(`no single structural class: ${structural.map((c) => c.names[0])}`);
  const held = new Set(Object.keys(e.attrs).map((n) => n.toLowerCase()));
  const oidOf = (n: string) => types.get(n.toLowerCase())!.oid;
  const heldOids = new Set([...held].map(oidOf));
  for (const c of all) {
    for (const m of c.must) {
      if (!heldOids.has(oidOf(m)) && !withheld.has(m.toLowerCase())) problems.push(`${c.names[0]} needs ${m}`);
    }
  }
  if (![...all].some((c) => c.names[0] === 'extensibleObject')) {
    const allowed = new Set([...all].flatMap((c) => [...c.must, ...c.may]).map(oidOf));
    for (const n of held) {
      const d = types.get(n)!;
      const user = (d.usage ?? 'userApplications') === 'userApplications';
      if (user && !allowed.has(d.oid)) problems.push(`${n} is not allowed by ${e.attrs.objectClass}`);
    }
  }
  return problems;
}

t.test('a filter on a type the schema defines but no entry holds is false; an unknown one Undefined', async (t) => {
  const { url } = await ldapFixture(t);
  const as = ['-H', url, '-D', 'jane.smith@nhs.net', '-w', passwords.jane, '-b', 'ou=People,o=nhs', '-s', 'one'];
  const count = async (filter: string) => (await ldapsearch([...as, filter, '1.1'])).entries.length;
  t.equal(await count('(!(l=London))'), 7, 'l is defined (RFC 4519), so (l=London) is false and its NOT true');
  t.equal(await count('(!(IMHandle=x))'), 0, 'IMHandle is not defined: Undefined, and so is its NOT');
  // name is the supertype of cn, sn and the rest: its match would follow them, which filters do not.
  t.equal(await count('(!(name=x))'), 0, 'name, a supertype, stays Undefined');
});
