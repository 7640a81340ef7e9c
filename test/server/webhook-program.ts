// A program with webhook walkers (header and query keys), a node type, and a normal walker that
// makes a node, shared by the key-management tests of the routes and of the operator CLI.
export const WEBHOOK_PROGRAM = `
node Item { has v: int = 0; }
walker hook {
    obj __specs__ { static has webhook: dict = {"type": "header"}; }
    can go with \`root entry { report 1; }
}
walker query_hook {
    obj __specs__ { static has webhook: dict = {"type": "query", "name": "k"}; }
    can go with \`root entry { report 2; }
}
walker make {
    can go with \`root entry { i = Item(v=1); root ++> i; report i; }
}
`;
