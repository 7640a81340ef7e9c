# Records test/runtime/data/set-order.json: random sequences of set operations on ints and the
# order CPython 3.12 iterates the results in. Run with Python 3.12:
#   python3 test/runtime/data/set-order.py > test/runtime/data/set-order.json
import json, random
random.seed(20261129)
def rint():
    r = random.random()
    if r < 0.6: return random.randint(0, 64)
    if r < 0.75: return random.randint(-40, -1)
    if r < 0.85: return random.choice([2**61 - 1, 2**61, 2**61 + 5, 2**64 + 3, -(2**61), 2**53 + 1, -1, -2])
    return random.randint(0, 5000)
cases = []
for n in range(130):
    heavy = n >= 120
    env = {}
    ops = []
    outputs = []
    names = ['a', 'b', 'c']
    for nm in names:
        env[nm] = set(); ops.append(['new', nm])
    for _ in range(random.randint(300, 700) if heavy else random.randint(5, 80)):
        r = random.random()
        nm = random.choice(names)
        if r < 0.5:
            v = rint(); env[nm].add(v); ops.append(['add', nm, str(v)])
        elif r < 0.75:
            pool = list(env[nm]) or [rint()]
            v = random.choice(pool) if random.random() < 0.8 else rint()
            env[nm].discard(v); ops.append(['discard', nm, str(v)])
        elif r < 0.95:
            if heavy and random.random() < 0.7:
                v = rint(); env[nm].add(v); ops.append(["add", nm, str(v)]); continue
            op = random.choice(['or', 'and', 'sub', 'xor', 'copy'])
            x, y = random.choice(names), random.choice(names)
            if op == 'or': env[nm] = env[x] | env[y]
            elif op == 'and': env[nm] = env[x] & env[y]
            elif op == 'sub': env[nm] = env[x] - env[y]
            elif op == 'xor': env[nm] = env[x] ^ env[y]
            else: env[nm] = env[x].copy()
            ops.append([op, nm, x, y])
        else:
            ops.append(['list', nm]); outputs.append([str(v) for v in env[nm]])
    for nm in names:
        ops.append(['list', nm]); outputs.append([str(v) for v in env[nm]])
    cases.append({'ops': ops, 'expect': outputs})
print(json.dumps(cases, separators=(',', ':')))
