// Names for the demo directory, as a rota might list them. The first rows are deliberate cases:
// same-name pairs (jane.smith, jane.smith2), accents, apostrophes, hyphens, two-word names.
const cases: [string, string][] = [
  ['Jane', 'Smith'], ['Jane', 'Smith'], ['Mohammed', 'Khan'], ['Mohammed', 'Khan'], ['Siân', 'Llewellyn'],
  ['Łukasz', 'Nowak'], ['Siobhán', "O'Brien-Smith"], ['Mary Ann', 'Jones'], ['Zoë', 'Müller'], ['José', 'García'],
  ['Chloé', "D'Arcy"], ['Ngozi', 'Okonkwo-Adeyemi'], ['Bjørn', 'Sørensen'], ['Priya', 'Patel'], ['Priya', 'Patel'],
  ['Seán', 'Mac Giolla'], ['Anne-Marie', 'Duffy'], ['Dafydd', 'ap Rhys'], ['Aoife', 'Ní Bhriain'], ['Jean-Luc', 'Picard'],
];

const given = ['Oliver', 'Amelia', 'Harry', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Jack', 'Sophie', 'Leo', 'Grace',
  'Arthur', 'Lily', 'Muhammad', 'Freya', 'Oscar', 'Emily', 'Charlie', 'Ella', 'Aisha', 'Thomas', 'Fatima', 'James',
  'Olivia', 'William', 'Hannah', 'Daniel', 'Chloe', 'Samuel', 'Rebecca', 'David', 'Sarah', 'Rajesh', 'Mei', 'Kwame',
  'Catriona', 'Eilidh', 'Rhodri', 'Bethan', 'Tomasz', 'Agnieszka', 'Emeka', 'Adaeze', 'Raj', 'Anjali', 'Peter', 'Helen'];

const family = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright',
  'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Ahmed', 'Hussain',
  'Begum', 'Singh', 'Kaur', 'Chen', 'Wong', 'Nguyen', 'Kowalski', 'Mensah', 'Adeyemi', 'MacDonald', "O'Neill",
  'Fitzgerald', 'Murphy', 'Campbell', 'Stewart', 'Morgan', 'Price', 'Hughes', 'Lloyd-Webber', 'Bowes-Lyon'];

/** Rows enough for the demo: the cases first, then combinations that repeat now and then. */
export const demoNames: [string, string][] = [
  ...cases,
  ...Array.from({ length: 300 }, (_, i): [string, string] => [given[(i * 7) % given.length], family[(i * 11 + (i >> 3)) % family.length]]),
];
