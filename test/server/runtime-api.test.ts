// Jac Cloud's runtime API through the real server (shared/spec/jac-cloud-runtime.md §1-§2): `_`
// and `Jac`, custom status and custom responses, `&id` / `jid` / `jobj`, `_.destroy`, savable
// objs, `_.reset_graph`, auto-cleanup of nodes left without edges, `x.__jac__` with `apply()`
// and discarding a run's writes, and `_.get_context()`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { storedRoot } from '../helpers/stored.ts';
import { harness, type Harness } from './harness.ts';

const PROGRAM = `
import from jaclang { JacMachineInterface as Jac }
import from jac_cloud.core.archetype { BaseAnchor, NodeAnchor, EdgeAnchor, WalkerAnchor, ObjectAnchor }
import from jac_cloud.core.context { JaseciContext }

node Item { has v: int = 0; }
obj Note { has text: str = ""; has tags: list[str] = []; }

walker same_object { can go with \`root entry { report Jac is _; } }

walker custom_body {
    can go with \`root entry {
        report 1;
        _.report({"testing": 1}, True);
        report 2;
    }
}

walker with_status {
    has code: int;
    can go with \`root entry {
        _.get_context().status = self.code;
        report self.code;
    }
}

walker make_item {
    has v: int = 1;
    can go with \`root entry {
        n = Item(v=self.v);
        root ++> n;
        report jid(n);
    }
}

walker read_ref {
    has id: str;
    can go with \`root entry {
        try { report &(self.id); } except Exception as e { report None; }
        try { report jobj(self.id); } except ValueError as e { report str(e); }
    }
}

walker destroy_ref {
    has id: str;
    can go with \`root entry { _.destroy(&(self.id)); report [root-->]; }
}

walker destroy_list {
    can go with \`root entry { Jac.destroy([root-->]); report len([root-->]); }
}

walker save_note {
    has text: str;
    can go with \`root entry {
        o = Note(text=self.text, tags=["a"]);
        _.save(o);
        report jid(o);
        report o;
    }
}

walker edit_note {
    has id: str;
    can go with \`root entry {
        o = &(self.id);
        o.text = o.text + "!";
        o.tags.append("b");
        report o;
    }
}

walker populate {
    has n: int;
    can go with \`root entry {
        for i in range(self.n) { root ++> Item(v=i); }
        report len([root-->]);
    }
}

walker reset { can go with \`root entry { report _.reset_graph(); report len([root-->]); } }

walker detach_all {
    can go with \`root entry { report root del--> [root-->]; }
}

walker context_fields {
    can go with \`root entry {
        c = _.get_context();
        report [c.status, c.root_state.ref_id == jid(root), c.entry_node.ref_id == jid(here)];
        c.reports.append("appended");
    }
    can at_item with Item entry {
        c = _.get_context();
        report [c.entry_node.ref_id == jid(here), c.root_state.ref_id == jid(root), here.__jac__.name, here.__jac__.persistent];
    }
}

walker manual_create {
    can go with \`root entry {
        n = Item(v=7);
        here ++> n;
        here.__jac__.apply();
        m = Item(v=8);
        here ++> m;
        jsrc = _.get_context().mem;
        jsrc.__mem__.clear();
        jsrc.__gc__.clear();
        report [n.v];
    }
}

walker manual_update_unapplied {
    can go with \`root entry {
        n = [-->(\`?Item)][0];
        n.v = 100;
        _.get_context().mem.__mem__.clear();
        report n.v;
    }
}

walker manual_delete_edge {
    can go with \`root entry {
        e = [edge-->][0];
        _.destroy(e);
        e.__jac__.apply();
        _.get_context().mem.__mem__.clear();
        report len([-->]);
    }
}

walker collection_counts {
    can go with \`root entry {
        id = here.__jac__.id;
        report NodeAnchor.Collection.count({"$or": [{"_id": id}, {"root": id}]});
        report EdgeAnchor.Collection.count({"root": id});
        report WalkerAnchor.Collection.count({"root": id});
        report NodeAnchor.Collection.count({"name": "Item", "archetype.v": {"$gte": 1, "$lt": 3}});
        report NodeAnchor.Collection.count({"archetype.v": {"$in": [0, 2]}});
        one = NodeAnchor.Collection.find_one({"name": "Item", "archetype.v": 2});
        report one.archetype.v;
        report NodeAnchor.Collection.find_one({"name": "Nope"});
        report [a.archetype.v for a in NodeAnchor.Collection.find({"name": {"$regex": "^It"}})];
        report BaseAnchor.ref(jid(one.archetype)).archetype.v;
        report JaseciContext.get().status;
        report JaseciContext.get_root() == root;
        try { NodeAnchor.Collection.count({"$where": "1"}); } except ValueError as e { report str(e); }
        try { BaseAnchor.ref("garbage"); } except ValueError as e { report str(e); }
    }
}

walker count_items { can go with \`root entry { report [i.v for i in [-->(\`?Item)]]; } }
`;

let h: Harness;
let alice: { authorization: string; root: string };

test.before(async () => {
  h = await harness(PROGRAM, { maxMillis: 2_000 });
  alice = await h.login();
});
test.after(async () => h.close());

const call = (walker: string, payload: object = {}, who = alice, node = '') =>
  h.app.inject({ method: 'POST', url: `/walker/${walker}${node ? `/${node}` : ''}`, payload, headers: { authorization: who.authorization } });

test('`_` and the imported `Jac` are one object', async () => {
  assert.equal((await call('same_object')).json().reports, [true]);
});

test('_.report(x, True) makes x the whole answer, without the envelope or the other reports', async () => {
  const r = await call('custom_body');
  assert.is(r.statusCode, 200);
  assert.equal(r.json(), { testing: 1 });
});

test('_.get_context().status sets the HTTP status and the envelope status', async () => {
  for (const code of [201, 202, 226, 400, 418, 503]) {
    const r = await call('with_status', { code });
    assert.is(r.statusCode, code);
    assert.equal(r.json(), { status: code, reports: [code] });
  }
});

test('a status that cannot carry a JSON answer fails the walker with a clear 500', async () => {
  for (const code of [101, 204, 302, 700]) {
    const r = await call('with_status', { code });
    assert.is(r.statusCode, 500, `status ${code}`);
    assert.not.match(r.body, /at .*\.ts:\d+/, 'no stack trace');
  }
  const line = h.log.find((l) => l.includes('status 204 cannot be answered with a JSON body'));
  assert.ok(line, 'the log says why');
});

test('&id and jobj(id) find a node by its id; a deleted or unknown id raises ValueError as in jaclang 0.8.0', async () => {
  const id = (await call('make_item', { v: 5 })).json().reports[0];
  assert.match(id, /^n:Item:[0-9a-f]{24}$/);
  const found = (await call('read_ref', { id })).json().reports;
  assert.equal(found[0], { id, context: { v: 5 } });
  assert.equal(found[1], { id, context: { v: 5 } });
  const gone = (await call('destroy_ref', { id })).json();
  assert.is(gone.status, 200);
  const after = (await call('read_ref', { id })).json().reports;
  assert.equal(after, [null, 'badly formed hexadecimal UUID string']);
  assert.not.match(await storedRoot(h.dataDir, alice.root), new RegExp(id), 'the node is gone from the store');
  assert.equal((await call('read_ref', { id: 'nonsense' })).json().reports, [null, 'badly formed hexadecimal UUID string']);
});

test("another user's node is not found by &id", async () => {
  const id = (await call('make_item', { v: 9 })).json().reports[0];
  const bob = await h.login('bob@example.com');
  assert.equal((await call('read_ref', { id }, bob)).json().reports, [null, 'badly formed hexadecimal UUID string']);
  await call('destroy_list');
});

test('_.destroy of a list destroys each node, with its edges', async () => {
  await call('make_item');
  await call('make_item');
  assert.equal((await call('destroy_list')).json().reports, [0]);
  assert.equal((await call('count_items')).json().reports, [[]]);
});

test('a saved obj is stored apart from the graph: found by &id, updated in place, destroyed', async () => {
  const saved = (await call('save_note', { text: 'hi' })).json().reports;
  const id = saved[0];
  assert.match(id, /^o:Note:[0-9a-f]{24}$/);
  assert.equal(saved[1], { id, context: { text: 'hi', tags: ['a'] } });
  assert.equal((await call('edit_note', { id })).json().reports, [{ id, context: { text: 'hi!', tags: ['a', 'b'] } }]);
  assert.equal((await call('read_ref', { id })).json().reports[0], { id, context: { text: 'hi!', tags: ['a', 'b'] } }, 'the change was stored');
  assert.match(await storedRoot(h.dataDir, alice.root), new RegExp(id));
  await call('destroy_ref', { id });
  assert.equal((await call('read_ref', { id })).json().reports[0], null);
  assert.not.match(await storedRoot(h.dataDir, alice.root), new RegExp(id));
});

test('_.reset_graph removes the stored nodes and edges but the root, and counts them', async () => {
  const carol = await h.login('carol@example.com');
  assert.equal((await call('populate', { n: 3 }, carol)).json().reports, [3]);
  assert.equal((await call('reset', {}, carol)).json().reports, [6, 0]);
  assert.equal((await call('count_items', {}, carol)).json().reports, [[]]);
  assert.not.match(await storedRoot(h.dataDir, carol.root), /n:Item:/);
});

test('a node left without edges is removed when the run commits (auto-cleanup), and is then 404 by id', async () => {
  const dave = await h.login('dave@example.com');
  const id = (await call('make_item', { v: 3 }, dave)).json().reports[0];
  assert.is((await call('count_items', {}, dave, id)).statusCode, 200, 'callable by id while connected');
  assert.equal((await call('detach_all', {}, dave)).json().reports, [true]);
  assert.is((await call('count_items', {}, dave, id)).statusCode, 404);
  assert.not.match(await storedRoot(h.dataDir, dave.root), new RegExp(id));
});

test('_.get_context(): status, root_state, entry_node, reports; x.__jac__ names and persistence', async () => {
  const erin = await h.login('erin@example.com');
  const id = (await call('make_item', {}, erin)).json().reports[0];
  assert.equal((await call('context_fields', {}, erin)).json().reports, [[200, true, true], 'appended']);
  assert.equal((await call('context_fields', {}, erin, id)).json().reports, [[true, true, 'Item', true]]);
});

test('apply() then discarding the run\'s writes keeps only what was applied', async () => {
  const fay = await h.login('fay@example.com');
  assert.equal((await call('manual_create', {}, fay)).json().reports, [[7]]);
  assert.equal((await call('count_items', {}, fay)).json().reports, [[7]], 'the applied root wrote its new edge and node; the unapplied one is gone');
  assert.equal((await call('manual_update_unapplied', {}, fay)).json().reports, [100], 'the answer shows the value in memory');
  assert.equal((await call('count_items', {}, fay)).json().reports, [[7]], 'but nothing was written');
  assert.equal((await call('manual_delete_edge', {}, fay)).json().reports, [0]);
  const stored = await storedRoot(h.dataDir, fay.root);
  assert.match(stored, /n:Item:/, 'the node stays: without a flush there is no auto-cleanup');
  assert.not.match(stored, /"source"/, 'the edge is gone');
});

test('Collection queries (MongoDB filters over the caller\'s anchors), BaseAnchor.ref and JaseciContext', async () => {
  const gil = await h.login('gil@example.com');
  assert.equal((await call('populate', { n: 4 }, gil)).json().reports, [4]);
  assert.equal((await call('collection_counts', {}, gil)).json().reports, [
    5, // the root and its 4 nodes
    4,
    0,
    2, // v = 1, 2
    2, // v = 0, 2
    2,
    null,
    [0, 1, 2, 3],
    2,
    200,
    true,
    'the query operator $where is not supported',
    'garbage is not a valid reference!',
  ]);
  const other = await h.login('hal@example.com');
  await call('populate', { n: 3 }, other);
  assert.equal((await call('collection_counts', {}, other)).json().reports.slice(0, 3), [4, 3, 0], "another user's queries see only their own graph");
});

test.run();
