// A program that uses every `__specs__` option, shared by the server tests.
export const PROGRAM = `
enum Priority { LOW = "low", HIGH = "high" }
obj Meta { has note: str = "", score: float = 0.0; }
node Task { has title: str, done: bool = False, priority: Priority = Priority.LOW, meta: Meta = Meta(); }
node Counter { has n: int = 0; }

walker add_task {
    has title: str, priority: Priority = Priority.LOW, meta: Meta = Meta(), tags: list[str] = [];
    can make with \`root entry {
        t = here ++> Task(title=self.title, priority=self.priority, meta=self.meta);
        report t[0];
    }
}

walker list_tasks {
    has done: bool | None = None, limit: int = 100;
    obj __specs__ { static has methods: list = ["get"], as_query: list = ["done", "limit"]; }
    can go with \`root entry {
        report [t.title for t in [-->](\`?Task) if self.done is None or t.done == self.done][:self.limit];
    }
}

walker complete {
    obj __specs__ { static has entry_type: str = "NODE", methods: list = ["post", "patch"]; }
    can go with Task entry { here.done = True; report here; }
}

walker by_title {
    has title: str;
    class __specs__ { has path: str = "/by/{title}", methods: list = ["get"]; }
    can go with \`root entry { report [t.title for t in [-->](\`?Task) if t.title == self.title]; }
}

walker public_hello {
    has name: str = "world", secret: str = "kept";
    obj __specs__ {
        static has auth: bool = False, as_query: str = "*", excluded: list = ["secret"], entry_type: str = "root",
            tags: list = ["Public"], summary: str = "Say hello", description: str = "No token needed", deprecated: bool = True;
    }
    can go with \`root entry { root ++> Counter(); report f"hello {self.name} {self.secret} {len([-->])}"; }
}

walker hidden {
    obj __specs__ { static has private: bool = True; }
    can go with \`root entry { report 1; }
}

walker bump {
    obj __specs__ { static has entry_type: str = "ROOT"; }
    can go with \`root entry {
        cs = [-->](\`?Counter);
        if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
        c.n += 1;
        report c.n;
    }
}

walker boom {
    can go with \`root entry { x = [1][5]; }
}

walker forever {
    can go with \`root entry { while True { } }
}

walker kinds {
    has a: int, b: float = 1.0, c: dict[str, int] = {}, d: list[list[int]] = [], e: str | None = None;
    can go with \`root entry { report [self.a, self.b, self.c, self.d, self.e]; return self.a; }
}
`;
