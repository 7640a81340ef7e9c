// A walker field typed as a node (http-api.md §2: fields are the request): over HTTP it takes a
// node id, resolved in the caller's own graph; an id that is missing, of another type or another
// user's is 404; OpenAPI documents it as a string id.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Harness, harness } from './harness.ts';

const PROGRAM = `
node Order { has item: str; has closed: bool = False; }
node Note { has text: str = ""; }

walker place_order {
    has item: str;
    can go with \`root entry {
        o = Order(item=self.item);
        root ++> o;
        root ++> Note(text="placed");
        report o;
    }
}

walker close_order {
    has order: Order;
    has also: list[Order] = [];
    can go with \`root entry {
        self.order.closed = True;
        report [self.order.item, self.order.closed, len(self.also)];
    }
}
`;

let h: Harness;
const post = (who: { authorization: string }, walker: string, payload: object) =>
  h.app.inject({ method: 'POST', url: `/walker/${walker}`, headers: { authorization: who.authorization }, payload });

test.before(async () => {
  h = await harness(PROGRAM);
});
test.after(async () => {
  await h.close();
});

test('a node field takes the id of a node of that type in the caller graph; the walker changes that node', async () => {
  const alice = await h.login('alice@example.com');
  const placed = (await post(alice, 'place_order', { item: 'tea' })).json().reports[0];
  assert.match(placed.id, /^n:Order:[0-9a-f]{24}$/);
  const closed = await post(alice, 'close_order', { order: placed.id, also: [placed.id] });
  assert.is(closed.statusCode, 200, closed.body);
  assert.equal(closed.json().reports, [['tea', true, 1]]);
  const again = await post(alice, 'close_order', { order: placed.id });
  assert.equal(again.json().reports, [['tea', true, 0]], 'the change was committed to that node');
});

test('an id that is unknown, of another node type or of another user is 404 Node not found', async () => {
  const alice = await h.login('alice@example.com');
  const bob = await h.login('bob@example.com');
  const placed = (await post(alice, 'place_order', { item: 'coffee' })).json().reports[0];
  const notFound = { detail: 'Node not found' };
  const byBob = await post(bob, 'close_order', { order: placed.id });
  assert.equal([byBob.statusCode, byBob.json()], [404, notFound], "another user's node");
  const unknown = await post(alice, 'close_order', { order: 'n:Order:0123456789abcdef01234567' });
  assert.equal([unknown.statusCode, unknown.json()], [404, notFound]);
  const garbage = await post(alice, 'close_order', { order: 'not an id' });
  assert.equal([garbage.statusCode, garbage.json()], [404, notFound]);
  const graph = (await post(alice, 'place_order', { item: 'x' })).json();
  assert.is(graph.status, 200);
  const wrongType = await post(alice, 'close_order', { order: placed.id.replace('n:Order:', 'n:Note:') });
  assert.equal([wrongType.statusCode, wrongType.json()], [404, notFound], 'an id naming another type');
  const notString = await post(alice, 'close_order', { order: 42 });
  assert.is(notString.statusCode, 422, 'an id is a string');
});

test('OpenAPI documents a node field as a string id', async () => {
  const spec = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const body = spec.paths['/walker/close_order'].post.requestBody.content['application/json'].schema;
  assert.equal(body.properties.order, { type: 'string', description: 'the id of a node of type Order in your graph' });
  assert.equal(body.properties.also.items, { type: 'string', description: 'the id of a node of type Order in your graph' });
  assert.ok(body.required.includes('order'));
});

test.run();
