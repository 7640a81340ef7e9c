// Sharing between users through the real server (jac-cloud-runtime.md §3): `_.perm_grant`,
// `_.perm_revoke`, `_.allow_root`, `_.disallow_root` on a node or a whole root, with the levels
// READ, CONNECT and WRITE; another user's walker reaching a shared node by id in the URL, through
// its edges and by `&id`, and doing what its level allows and nothing else. Where Jac Cloud
// leaks, jac-serve keeps its rule: a node not shared with the caller is 404 by URL, and a missing
// id by `&id`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness, type Harness } from './harness.ts';

const PROGRAM = `
import from jac_cloud.core.archetype { BaseAnchor }

node Nested { has val: int = 0; }
node Secret { has code: str = "s3cret"; }
node Item { has v: int = 0; }

walker create_nested {
    can go with \`root entry {
        n = Nested(val=1);
        root ++> n;
        n ++> Secret();
        report jid(n);
    }
}

walker allow_other_root_access {
    has root_id: str, level: int | str = 0, via_all: bool = False;
    can on_root with \`root entry { self.grant(here); }
    can on_nested with Nested entry { self.grant(here); }
    def grant(target: any) {
        if self.via_all { _.perm_grant(target, self.level); }
        else { _.allow_root(target, BaseAnchor.ref(self.root_id), self.level); }
    }
}

walker disallow_other_root_access {
    has root_id: str, via_all: bool = False;
    can on_root with \`root entry { self.revoke(here); }
    can on_nested with Nested entry { self.revoke(here); }
    def revoke(target: any) {
        if self.via_all { _.perm_revoke(target); }
        else { _.disallow_root(target, BaseAnchor.ref(self.root_id)); }
    }
}

walker update_nested_node {
    has spin: int = 0;
    can go with Nested entry {
        v = here.val;
        i = 0;
        while i < self.spin { i += 1; }  # a run that takes a while between its read and its write
        here.val = v + 10;
        report here.val;
    }
}

walker visit_nested_node {
    can go with Nested entry { report here.val; report [n.code for n in [here -->](\`?Secret)]; }
}

walker connect_item {
    can go with Nested entry { here ++> Item(v=7); report len([here -->](\`?Item)); }
}

walker count_items {
    can go with \`root entry { visit [-->](\`?Nested); }
    can at with Nested entry { report len([here -->](\`?Item)); }
}

walker destroy_nested {
    can go with Nested entry { _.destroy(here); }
}

walker read_ref {
    has id: str;
    can go with \`root entry {
        try { report (&(self.id)).val; } except ValueError as e { report "missing"; }
    }
}

walker link_from_my_root {
    can go with Nested entry { root ++> here; report len([root -->](\`?Nested)); }
}

walker through_my_edges {
    can go with \`root entry { report [n.val for n in [-->](\`?Nested)]; visit [-->](\`?Nested); }
    can at with Nested entry { here.val += 100; report here.val; }
}

walker incoming {
    can go with Nested entry { report len([here <--]); }
}

walker my_nested {
    can go with \`root entry { report [n.val for n in [-->](\`?Nested)]; }
}
`;

let h: Harness;
let owner: { authorization: string; root: string };
let other: { authorization: string; root: string };

const call = async (who: { authorization: string }, walker: string, payload: object = {}, node?: string) => {
  const r = await h.app.inject({ method: 'POST', url: `/walker/${walker}${node ? `/${node}` : ''}`, headers: { authorization: who.authorization }, payload });
  return { status: r.statusCode, body: r.json() };
};

const newNested = async () => (await call(owner, 'create_nested')).body.reports[0] as string;

/** Grants (or revokes, with level null) `other` access on the node, or on the owner's whole root. */
const setAccess = async (target: 'node' | 'root', via: 'allow_root' | 'perm_grant', id: string, level: number | string | null) => {
  const node = target === 'node' ? id : undefined;
  const r =
    level === null
      ? await call(owner, 'disallow_other_root_access', { root_id: other.root, via_all: via === 'perm_grant' }, node)
      : await call(owner, 'allow_other_root_access', { root_id: other.root, level, via_all: via === 'perm_grant' }, node);
  assert.is(r.status, 200, JSON.stringify(r.body));
};

test.before.each(async () => {
  h = await harness(PROGRAM);
  owner = await h.login('owner@example.com');
  other = await h.login('other@example.com');
});
test.after.each(async () => {
  await h.close();
});

for (const target of ['node', 'root'] as const) {
  for (const via of ['allow_root', 'perm_grant'] as const) {
    test(`${via} on the ${target}: not shared is 404, READ shows but keeps nothing, WRITE keeps, revoked is 404 again`, async () => {
      const id = await newNested();
      assert.is((await call(other, 'visit_nested_node', {}, id)).status, 404);

      await setAccess(target, via, id, 'READ');
      const updated = await call(other, 'update_nested_node', {}, id);
      assert.is(updated.status, 200, JSON.stringify(updated.body));
      assert.equal(updated.body.reports, [11]); // the write shows in the answer...
      assert.equal((await call(other, 'visit_nested_node', {}, id)).body.reports[0], 1); // ...and is not stored

      await setAccess(target, via, id, 2); // WRITE, as an int
      assert.equal((await call(other, 'update_nested_node', {}, id)).body.reports, [11]);
      assert.equal((await call(other, 'visit_nested_node', {}, id)).body.reports[0], 11);
      assert.equal((await call(owner, 'my_nested')).body.reports, [[11]]); // the owner sees it too

      await setAccess(target, via, id, null);
      assert.is((await call(other, 'visit_nested_node', {}, id)).status, 404);
      assert.is((await call(other, 'update_nested_node', {}, id)).status, 404);
      assert.equal((await call(owner, 'my_nested')).body.reports, [[11]]);
    });
  }
}

test('a grant on a node opens that node only; one on the root opens every node of it', async () => {
  const id = await newNested();
  await setAccess('node', 'allow_root', id, 'READ');
  assert.equal((await call(other, 'visit_nested_node', {}, id)).body.reports, [1, []]); // its Secret is not shared
  await setAccess('root', 'allow_root', id, 'READ');
  assert.equal((await call(other, 'visit_nested_node', {}, id)).body.reports, [1, ['s3cret']]);
});

test('a specific grant on a node replaces the root-wide one, so it can lower access', async () => {
  const id = await newNested();
  await setAccess('root', 'perm_grant', id, 'WRITE');
  await setAccess('node', 'allow_root', id, 'NO_ACCESS');
  assert.is((await call(other, 'visit_nested_node', {}, id)).status, 404);
});

test('&id finds a node shared with the caller, and a not-shared node is a missing id', async () => {
  const id = await newNested();
  assert.equal((await call(other, 'read_ref', { id })).body.reports, ['missing']);
  await setAccess('node', 'perm_grant', id, 'READ');
  assert.equal((await call(other, 'read_ref', { id })).body.reports, [1]);
  await setAccess('node', 'perm_grant', id, null);
  assert.equal((await call(other, 'read_ref', { id })).body.reports, ['missing']);
  // An id that names nothing is missing for everyone, its owner included.
  assert.equal((await call(owner, 'read_ref', { id: 'n:Nested:0123456789abcdef01234567' })).body.reports, ['missing']);
});

test('connect needs CONNECT on the shared node: with READ there is no edge and no error', async () => {
  const id = await newNested();
  await setAccess('node', 'allow_root', id, 'READ');
  const denied = await call(other, 'connect_item', {}, id);
  assert.is(denied.status, 200, JSON.stringify(denied.body));
  assert.equal(denied.body.reports, [0]);
  await setAccess('node', 'allow_root', id, 'CONNECT');
  assert.equal((await call(other, 'connect_item', {}, id)).body.reports, [1]);
  assert.equal((await call(owner, 'count_items')).body.reports, [1]); // stored in the owner's graph
});

test("an edge from the caller's root to a shared node: followed while shared, at the level granted, gone from view once revoked", async () => {
  const id = await newNested();
  await setAccess('node', 'allow_root', id, 'READ');
  // READ is not enough to connect to it: no edge, no error.
  assert.equal((await call(other, 'link_from_my_root', {}, id)).body.reports, [0]);
  await setAccess('node', 'allow_root', id, 'CONNECT');
  assert.equal((await call(other, 'link_from_my_root', {}, id)).body.reports, [1]);
  // From its own root, the caller follows the edge into the owner's graph; CONNECT does not keep writes.
  assert.equal((await call(other, 'through_my_edges')).body.reports, [[1], 101]);
  assert.equal((await call(owner, 'my_nested')).body.reports, [[1]]);
  await setAccess('node', 'allow_root', id, 'WRITE');
  assert.equal((await call(other, 'through_my_edges')).body.reports, [[1], 101]);
  assert.equal((await call(owner, 'my_nested')).body.reports, [[101]]);
  // The owner's node has not gained an edge: the edge is the caller's.
  assert.equal((await call(owner, 'incoming', {}, id)).body.reports, [1]);
  await setAccess('node', 'allow_root', id, null);
  assert.equal((await call(other, 'through_my_edges')).body.reports, [[]]);
});

test('destroy needs WRITE: with CONNECT the node stays', async () => {
  const id = await newNested();
  await setAccess('node', 'allow_root', id, 'CONNECT');
  await call(other, 'destroy_nested', {}, id);
  assert.equal((await call(owner, 'my_nested')).body.reports, [[1]]);
  await setAccess('node', 'allow_root', id, 'WRITE');
  await call(other, 'destroy_nested', {}, id);
  assert.equal((await call(owner, 'my_nested')).body.reports, [[]]);
});

test('levels are checked as Jac Cloud casts them: a bad name or number fails the granting walker', async () => {
  const id = await newNested();
  const lower = await call(owner, 'allow_other_root_access', { root_id: other.root, level: 'write', via_all: false }, id);
  assert.is(lower.status, 500);
  const high = await call(owner, 'allow_other_root_access', { root_id: other.root, level: 3, via_all: false }, id);
  assert.is(high.status, 500);
  assert.is((await call(other, 'visit_nested_node', {}, id)).status, 404);
});

test('with two workers, runs of the owner and of the user it shared with never interleave on the shared node', async () => {
  await h.close();
  h = await harness(PROGRAM, { workers: 2 });
  owner = await h.login('owner@example.com');
  other = await h.login('other@example.com');
  const id = await newNested();
  await setAccess('node', 'perm_grant', id, 'WRITE');
  // Started a few ms apart, so that each user's runs arrive while the other's are under way.
  const started = [];
  for (let i = 0; i < 40; i++) {
    started.push(call(i % 2 === 0 ? owner : other, 'update_nested_node', { spin: 20000 }, id));
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  const runs = await Promise.all(started);
  assert.equal(
    runs.map((r) => r.status),
    runs.map(() => 200),
  );
  // Each run saw the one before it: 11, 21, ... 401, once each.
  assert.equal(
    runs.map((r) => r.body.reports[0] as number).sort((a, b) => a - b),
    Array.from({ length: 40 }, (_, i) => 1 + 10 * (i + 1)),
  );
});

test('a share outlives the server: the grant and its hint are stored', async () => {
  const id = await newNested();
  await setAccess('node', 'allow_root', id, 'WRITE');
  const dataDir = h.dataDir;
  await h.close();
  h = await harness(PROGRAM, {}, dataDir);
  assert.equal((await call(other, 'update_nested_node', {}, id)).body.reports, [11]);
  assert.equal((await call(owner, 'my_nested')).body.reports, [[11]]);
});

test.run();
