// Whether memory may answer a read across servers (heard.ts): a read that saw change n waits for
// notice n, and one from memory alone asks the database's number with a query sent after it began.
import t from 'tap';
import { createHeard } from '../../src/directory/heard.js';

t.test('a read waits for the notice of what it saw, and no longer than a moment', async (t) => {
  const { freshness, heard, lost } = createHeard(async () => 0);
  heard('* #5');
  t.equal(freshness.until(5), true, 'heard already: at once');
  const waiting = freshness.until(7);
  heard('uid:ann.lee #6');
  heard('uid:bob.ray org:RXA #7');
  t.equal(await waiting, true, 'once notice 7 has been acted on');
  t.equal(await freshness.until(8), false, 'a notice that does not come: the database instead');
  const cut = freshness.until(9);
  lost();
  t.equal(await cut, false, 'not listening: the database instead');
  t.equal(await freshness.until(1), false, 'and nothing is trusted until listening says the number anew');
  heard('* #9');
  t.equal(freshness.until(9), true);
  heard('uid:old.server'); // a notice without a number (an older server) moves nothing
  t.equal(await freshness.until(10), false);
});

t.test('a read from memory alone is answered by a query sent after it began, shared with others', async (t) => {
  let number = 3;
  const sent: ((n: number) => void)[] = [];
  const { freshness, heard } = createHeard(
    () =>
      new Promise((resolve) => {
        const at = number; // the database's number when the query runs
        sent.push(() => resolve(at));
      }),
  );
  heard('* #3');
  const first = freshness.now();
  await new Promise(setImmediate);
  t.equal(sent.length, 1, 'one query');
  number = 4; // a write commits, and answers, while that query is out
  const second = freshness.now();
  const third = freshness.now();
  sent[0](0);
  t.equal(await first, true, 'the first read: nothing unheard');
  await new Promise(setImmediate);
  t.equal(sent.length, 2, 'the two later reads share one query, sent after the first answered');
  sent[1](0);
  t.same([await second, await third], [false, false], 'change 4 is not heard of: not from memory');
});
