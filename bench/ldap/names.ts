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
