// Names for the generated directory (100,000 people), and the prefixes that people type.
export const given = ['Oliver', 'Amelia', 'Harry', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Jack', 'Sophie', 'Leo', 'Grace',
  'Arthur', 'Lily', 'Muhammad', 'Freya', 'Oscar', 'Emily', 'Charlie', 'Ella', 'Aisha', 'Thomas', 'Fatima', 'James',
  'Olivia', 'William', 'Hannah', 'Daniel', 'Chloe', 'Samuel', 'Rebecca', 'David', 'Sarah', 'Rajesh', 'Mei', 'Kwame',
  'Catriona', 'Eilidh', 'Rhodri', 'Bethan', 'Tomasz', 'Agnieszka', 'Emeka', 'Adaeze', 'Raj', 'Anjali', 'Peter', 'Helen',
  'Jane', 'John', 'Mary', 'Michael', 'Susan', 'Paul', 'Karen', 'Mark', 'Lisa', 'Andrew', 'Claire', 'Richard', 'Emma',
  'Stephen', 'Nicola', 'Christopher', 'Rachel', 'Matthew', 'Laura', 'Simon', 'Joanne', 'Gareth', 'Siobhan', 'Ciaran'];
export const family = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright',
  'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Ahmed', 'Hussain',
  'Begum', 'Singh', 'Kaur', 'Chen', 'Wong', 'Nguyen', 'Kowalski', 'Mensah', 'Adeyemi', 'MacDonald', 'Oneill',
  'Fitzgerald', 'Murphy', 'Campbell', 'Stewart', 'Morgan', 'Price', 'Hughes', 'Lloyd', 'Bowes', 'Edwards', 'Turner',
  'Harris', 'Martin', 'Cooper', 'King', 'Lee', 'Baker', 'Harrison', 'Morris', 'Ward', 'Parker', 'Bennett', 'Cook',
  'Bell', 'Shaw', 'Richardson', 'Mitchell', 'Collins', 'Phillips', 'Watson', 'Carter', 'Marshall', 'Patel', 'Khan',
  'Ali', 'Rahman', 'Iqbal', 'Okafor', 'Nowak', 'Wisniewski', 'Kelly', 'Ryan', 'Doyle', 'Reid', 'Ross', 'Graham',
  'Hamilton', 'Fraser', 'Gordon', 'Scott', 'Young', 'Allen', 'Mason', 'Knight', 'Barker', 'Hunt', 'Mills', 'Webb'];

/** What people type: two to four letters of a name, lower case. */
export const prefixes: string[] = [...new Set([...given, ...family].flatMap((n) => [2, 3, 4].map((k) => n.slice(0, k).toLowerCase())))];

// A national directory has thousands of different names, and a mail client's searches are cut from
// all of them. The lists above are the common names (two people in three of the seeded directory
// have one of those family names, as the common names are common); the rest are made from
// syllables, so that the 2-4 letter prefixes typed run to thousands rather than a few hundred.
const moreGiven = ['Abigail', 'Adam', 'Adrian', 'Ahmed', 'Aidan', 'Alan', 'Alexander', 'Alice', 'Alison', 'Amir',
  'Amy', 'Angela', 'Anna', 'Anthony', 'Archie', 'Ayesha', 'Barbara', 'Ben', 'Bilal', 'Brian', 'Bronwen', 'Caitlin',
  'Callum', 'Carol', 'Caroline', 'Charlotte', 'Chidi', 'Chiara', 'Colin', 'Connor', 'Craig', 'Darren', 'Deborah',
  'Declan', 'Deepak', 'Dylan', 'Eleanor', 'Elena', 'Eliza', 'Elliot', 'Erin', 'Ewan', 'Farah', 'Finlay', 'Fiona',
  'Florence', 'Gemma', 'Gillian', 'Gordon', 'Graham', 'Gwen', 'Hamza', 'Harriet', 'Hassan', 'Heather', 'Henry',
  'Ibrahim', 'Imogen', 'Ioan', 'Isaac', 'Ivy', 'Jacob', 'Jasmine', 'Jennifer', 'Joseph', 'Joshua', 'Julie', 'Kate',
  'Keith', 'Kieran', 'Kirsty', 'Leah', 'Lewis', 'Liam', 'Lucy', 'Luke', 'Maya', 'Megan', 'Mohammed', 'Molly',
  'Nadia', 'Naomi', 'Nathan', 'Neil', 'Niamh', 'Nikhil', 'Obinna', 'Ola', 'Omar', 'Owen', 'Patricia', 'Poppy',
  'Priya', 'Rhys', 'Robert', 'Rosie', 'Ruby', 'Ryan', 'Saanvi', 'Sakura', 'Sandra', 'Scarlett', 'Sean', 'Shona',
  'Sian', 'Sofia', 'Stuart', 'Sunita', 'Tariq', 'Teresa', 'Theo', 'Tobias', 'Tracy', 'Una', 'Usman', 'Valerie',
  'Vikram', 'Wendy', 'Xavier', 'Yasmin', 'Yusuf', 'Zainab', 'Zara', 'Zoe', 'Ewa', 'Piotr', 'Marta', 'Kofi', 'Ada'];
const openings = ['Ab', 'Al', 'Am', 'An', 'Ar', 'Ba', 'Be', 'Bi', 'Bo', 'Ca', 'Ce', 'Co', 'Da', 'De', 'Di', 'Do', 'Ed',
  'El', 'Em', 'Fa', 'Fe', 'Fo', 'Ga', 'Ge', 'Go', 'Ha', 'He', 'Ho', 'Ja', 'Jo', 'Ka', 'Ke', 'La', 'Le', 'Li', 'Lo',
  'Ma', 'Me', 'Mi', 'Mo', 'Na', 'Ne', 'No', 'Pa', 'Pe', 'Po', 'Ra', 'Re', 'Ri', 'Ro', 'Sa', 'Se', 'So', 'Ta', 'Te',
  'To', 'Va', 'Ve', 'Wa', 'We', 'Ya', 'Za'];
const middles = ['b', 'd', 'g', 'l', 'm', 'n', 'r', 's', 't', 'v'];
const endings = ['er', 'ley', 'ton', 'son', 'by', 'well', 'ham', 'ard', 'ett', 'ins'];

/** The seeded directory's given names (201, uniformly) and its less common family names (about 6,000). */
export const allGiven: string[] = [...given, ...moreGiven];
const made = openings.flatMap((o) => middles.flatMap((m) => endings.map((e) => o + m + e)));
export const moreFamily: string[] = [...new Set(made)].filter((n) => !family.includes(n));
