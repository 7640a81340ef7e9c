// The typed AST of a Jac module: a discriminated union keyed by `kind`. Every node carries the
// span of source it came from. Consumers switch on `kind` with an exhaustive `never` default.

export interface Span {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
  endLine: number;
  endCol: number; // 1-based, inclusive
  offset: number; // 0-based start offset into the source text
  endOffset: number; // 0-based, exclusive
}

interface Base {
  span: Span;
}

export type AccessTag = 'priv' | 'pub' | 'protect' | null;

// ---- module and declarations ------------------------------------------------------------

export interface Module extends Base {
  kind: 'Module';
  doc: string | null;
  body: Stmt[];
}

export type ArchetypeKind = 'obj' | 'node' | 'edge' | 'walker' | 'class';

export interface Archetype extends Base {
  kind: 'Archetype';
  archKind: ArchetypeKind;
  name: string;
  access: AccessTag;
  bases: Expr[];
  decorators: Expr[];
  isAsync: boolean;
  doc: string | null;
  /** null for a forward declaration (`obj Foo;`), completed later by `impl`. */
  body: Stmt[] | null;
}

export interface EnumMember extends Base {
  name: string;
  value: Expr | null;
}

export interface Enum extends Base {
  kind: 'Enum';
  name: string;
  access: AccessTag;
  bases: Expr[];
  decorators: Expr[];
  doc: string | null;
  /** null for a forward declaration (`enum E;`). */
  members: EnumMember[] | null;
  /** `with entry {}` and `::py::` blocks after the members. */
  body: Stmt[];
}

export interface HasVar extends Base {
  name: string;
  type: Expr;
  value: Expr | null;
  byPostinit: boolean;
}

export interface Has extends Base {
  kind: 'Has';
  isStatic: boolean;
  access: AccessTag;
  vars: HasVar[];
  doc: string | null;
}

export interface Param extends Base {
  name: string;
  /** `*args` is 'star', `**kw` is 'starstar'. */
  variadic: 'star' | 'starstar' | null;
  type: Expr;
  default: Expr | null;
}

export interface Signature extends Base {
  params: Param[];
  returns: Expr | null;
  /** `def f { }` has no parentheses; the reference treats it as taking no parameters. */
  hasParens: boolean;
}

/** The body of a function or ability: statements, `by expr;`, or none (declared only). */
export type Body = { kind: 'Block'; stmts: Stmt[] } | { kind: 'By'; expr: Expr } | null;

/** What `def` functions and `can` abilities have in common. */
interface CallableBase extends Base {
  name: string;
  access: AccessTag;
  isStatic: boolean;
  isOverride: boolean;
  isAsync: boolean;
  isAbstract: boolean;
  decorators: Expr[];
  doc: string | null;
  body: Body;
}

export interface FunctionDef extends CallableBase {
  kind: 'Function';
  signature: Signature | null;
}

export interface EventClause extends Base {
  /** The type(s) the ability fires for: null when untyped (`with entry`). */
  type: Expr | null;
  event: 'entry' | 'exit';
  returns: Expr | null;
}

export interface Ability extends CallableBase {
  kind: 'Ability';
  event: EventClause;
}

export type ImplSpec =
  | { kind: 'Bases'; bases: Expr[] }
  | { kind: 'Signature'; signature: Signature }
  | { kind: 'Event'; event: EventClause };

export interface Impl extends Base {
  kind: 'Impl';
  /** `impl Foo.bar` is ['Foo', 'bar']. */
  target: string[];
  spec: ImplSpec | null;
  decorators: Expr[];
  doc: string | null;
  /** Statements, `by expr;`, or enum members (`impl Color { RED = 1 }`). */
  body: Body | { kind: 'EnumBody'; members: EnumMember[]; stmts: Stmt[] };
}

export interface ImportPath extends Base {
  /** Leading dots of a relative path (`.sibling` is 1). */
  dots: number;
  names: string[];
  alias: string | null;
}

export interface ImportItem extends Base {
  name: string;
  alias: string | null;
}

export interface Import extends Base {
  kind: 'Import';
  form: 'import' | 'from' | 'include';
  /** `import a, b.c as d;` and `include a;` list modules here; `import from` has exactly one. */
  paths: ImportPath[];
  /** The `{ X, Y as Z }` of `import from`. */
  items: ImportItem[];
  doc: string | null;
}

export interface GlobalVar extends Base {
  kind: 'GlobalVar';
  keyword: 'glob' | 'let';
  access: AccessTag;
  /** Each is an Assign/AnnAssign, or a bare declared Name (as an ExprStmt). */
  assignments: Stmt[];
  doc: string | null;
}

export interface ModuleEntry extends Base {
  kind: 'ModuleEntry';
  /** `with entry:__main__ {}` gives '__main__'. */
  name: string | null;
  body: Stmt[];
  doc: string | null;
}

export interface PyInline extends Base {
  kind: 'PyInline';
  code: string;
}

export interface Test extends Base {
  kind: 'Test';
  name: string | null;
  body: Stmt[];
  doc: string | null;
}

// ---- statements -------------------------------------------------------------------------

export interface If extends Base {
  kind: 'If';
  test: Expr;
  body: Stmt[];
  /** An `elif` is a nested If in `orelse`. */
  orelse: Stmt[] | null;
}

export interface While extends Base {
  kind: 'While';
  test: Expr;
  body: Stmt[];
}

export interface ForIn extends Base {
  kind: 'ForIn';
  isAsync: boolean;
  target: Expr;
  iter: Expr;
  body: Stmt[];
  orelse: Stmt[] | null;
}

/** `for i = 0 to i < n by i += 1 { }` */
export interface ForTo extends Base {
  kind: 'ForTo';
  isAsync: boolean;
  init: Assign | AnnAssign;
  test: Expr;
  step: Assign | AugAssign;
  body: Stmt[];
  orelse: Stmt[] | null;
}

export interface ExceptHandler extends Base {
  type: Expr;
  name: string | null;
  body: Stmt[];
}

export interface Try extends Base {
  kind: 'Try';
  body: Stmt[];
  handlers: ExceptHandler[];
  orelse: Stmt[] | null;
  finalbody: Stmt[] | null;
}

export type Pattern =
  | ({ kind: 'PLiteral'; value: Expr } & Base)
  | ({ kind: 'PSingleton'; value: null | boolean } & Base)
  | ({ kind: 'PCapture'; name: string } & Base) // `_` is the wildcard
  | ({ kind: 'PValue'; path: string[] } & Base) // `Color.RED`
  | ({ kind: 'PSequence'; items: Pattern[] } & Base)
  | ({ kind: 'PStar'; name: string } & Base) // `*rest` inside a sequence
  | ({ kind: 'PMapping'; keys: Expr[]; values: Pattern[]; rest: string | null } & Base)
  | ({ kind: 'PClass'; path: string[]; args: Pattern[]; kwNames: string[]; kwPatterns: Pattern[] } & Base)
  | ({ kind: 'POr'; options: Pattern[] } & Base)
  | ({ kind: 'PAs'; pattern: Pattern; name: string } & Base);

export interface MatchCase extends Base {
  pattern: Pattern;
  guard: Expr | null;
  body: Stmt[];
}

export interface Match extends Base {
  kind: 'Match';
  subject: Expr;
  cases: MatchCase[];
}

export interface WithItem extends Base {
  expr: Expr;
  target: Expr | null;
}

export interface With extends Base {
  kind: 'With';
  isAsync: boolean;
  items: WithItem[];
  body: Stmt[];
}

export interface GlobalRef extends Base {
  kind: 'GlobalRef';
  names: string[];
}

export interface NonlocalRef extends Base {
  kind: 'NonlocalRef';
  names: string[];
}

/** `-> Type { ... }`: a block that runs only when the walker is on a node of that type. */
export interface TypedContext extends Base {
  kind: 'TypedContext';
  type: Expr;
  body: Stmt[];
}

export interface Return extends Base {
  kind: 'Return';
  value: Expr | null;
}

export interface Raise extends Base {
  kind: 'Raise';
  exc: Expr | null;
  cause: Expr | null;
}

export interface Assert extends Base {
  kind: 'Assert';
  test: Expr;
  msg: Expr | null;
}

export interface Check extends Base {
  kind: 'Check';
  test: Expr;
}

export interface Delete extends Base {
  kind: 'Delete';
  target: Expr;
}

export interface Report extends Base {
  kind: 'Report';
  value: Expr;
}

export interface Visit extends Base {
  kind: 'Visit';
  /** `visit :expr: target;` parses; 0.8.0 ignores the index. */
  index: Expr | null;
  target: Expr;
  orelse: Stmt[] | null;
}

export interface Ignore extends Base {
  kind: 'Ignore';
  target: Expr;
}

export interface Control extends Base {
  kind: 'Control';
  control: 'break' | 'continue' | 'skip' | 'disengage';
}

export interface Assign extends Base {
  kind: 'Assign';
  isLet: boolean;
  /** `a = b = 1` has two targets. */
  targets: Expr[];
  value: Expr;
}

export interface AnnAssign extends Base {
  kind: 'AnnAssign';
  target: Expr;
  annotation: Expr;
  value: Expr | null;
}

export type AugOp = '+=' | '-=' | '*=' | '/=' | '//=' | '%=' | '**=' | '@=' | '&=' | '|=' | '^=' | '<<=' | '>>=' | '~=';

export interface AugAssign extends Base {
  kind: 'AugAssign';
  target: Expr;
  op: AugOp;
  value: Expr;
}

export interface ExprStmt extends Base {
  kind: 'ExprStmt';
  expr: Expr;
}

export type Stmt =
  | Archetype | Enum | Has | FunctionDef | Ability | Impl | Import | GlobalVar | ModuleEntry | PyInline | Test
  | If | While | ForIn | ForTo | Try | Match | With | GlobalRef | NonlocalRef | TypedContext
  | Return | Raise | Assert | Check | Delete | Report | Visit | Ignore | Control
  | Assign | AnnAssign | AugAssign | ExprStmt;

// ---- expressions ------------------------------------------------------------------------

export interface Name extends Base {
  kind: 'Name';
  /** Keyword-escaped names (`<>node`) are stored without the `<>`. Builtin types are Names. */
  name: string;
}

export type SpecialName = 'self' | 'here' | 'visitor' | 'root' | 'super' | 'init' | 'postinit';

export interface Special extends Base {
  kind: 'Special';
  name: SpecialName;
}

/** `` `root ``, `` `Any ``: a backtick type reference. */
export interface TypeRef extends Base {
  kind: 'TypeRef';
  name: string;
}

export interface Int extends Base {
  kind: 'Int';
  value: bigint;
}

export interface Float extends Base {
  kind: 'Float';
  value: number;
}

/** A string literal after escape processing and adjacent-literal concatenation. */
export interface Str extends Base {
  kind: 'Str';
  value: string;
  /** `b"..."`: the value holds one char per byte (code points 0-255). */
  isBytes: boolean;
}

/** An f-string, or adjacent literals of which at least one is an f-string. */
export interface FString extends Base {
  kind: 'FString';
  parts: (string | Expr)[];
}

export interface Constant extends Base {
  kind: 'Constant';
  value: null | boolean | 'Ellipsis';
}

export interface ListExpr extends Base {
  kind: 'List';
  elts: Expr[];
}

export interface TupleExpr extends Base {
  kind: 'Tuple';
  elts: Expr[];
  /** Jac tuples may carry keyword items `(a=1, b=2)`. */
  keywords: Keyword[];
}

export interface SetExpr extends Base {
  kind: 'Set';
  elts: Expr[];
}

export interface DictEntry extends Base {
  /** null for `**spread`. */
  key: Expr | null;
  value: Expr;
}

export interface DictExpr extends Base {
  kind: 'Dict';
  entries: DictEntry[];
}

export interface Comprehension extends Base {
  isAsync: boolean;
  target: Expr;
  iter: Expr;
  conds: Expr[];
}

export interface ListComp extends Base {
  kind: 'ListComp' | 'SetComp' | 'GenExp';
  elt: Expr;
  generators: Comprehension[];
}

export interface DictComp extends Base {
  kind: 'DictComp';
  key: Expr;
  value: Expr;
  generators: Comprehension[];
}

/** `*xs` (in calls, lists, tuples) */
export interface Starred extends Base {
  kind: 'Starred';
  value: Expr;
}

/** `&x`: the reference operator (parsed; outside the subset at runtime). */
export interface RefExpr extends Base {
  kind: 'Ref';
  value: Expr;
}

export interface Keyword extends Base {
  /** null for `**kwargs`. */
  name: string | null;
  value: Expr;
}

export interface Call extends Base {
  kind: 'Call';
  func: Expr;
  args: Expr[];
  keywords: Keyword[];
  /** `f(x by llm)`: parsed, outside the subset at runtime. */
  by: Expr | null;
}

export interface Attribute extends Base {
  kind: 'Attribute';
  object: Expr;
  name: string;
  nullSafe: boolean;
  /** '.' normally; '.>' and '<.' are the reference's forward/backward dot forms. */
  op: '.' | '.>' | '<.';
}

export interface Slice extends Base {
  kind: 'Slice';
  lower: Expr | null;
  upper: Expr | null;
  step: Expr | null;
}

export interface Index extends Base {
  kind: 'Index';
  object: Expr;
  /** A single index, a Slice, or a Tuple of them for `a[i, j:k]`. */
  index: Expr;
  nullSafe: boolean;
}

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'is' | 'is not';

/** One `field op value` test of a filter (`(?f == 1)`, `->:E:w > 1:->`). */
export interface FilterCond extends Base {
  field: string;
  op: CmpOp;
  value: Expr;
}

/** `xs(?f == 1)`, ``xs(`?T)``, ``xs(`?T: f == 1)`` */
export interface FilterCompr extends Base {
  kind: 'FilterCompr';
  object: Expr;
  nullSafe: boolean;
  type: Expr | null;
  conds: FilterCond[];
}

/** `xs(=f=1, g=2)` */
export interface AssignCompr extends Base {
  kind: 'AssignCompr';
  object: Expr;
  nullSafe: boolean;
  assigns: Keyword[];
}

export type UnaryOp = '-' | '+' | '~' | 'not';

export interface Unary extends Base {
  kind: 'Unary';
  op: UnaryOp;
  operand: Expr;
}

export type BinOp = '+' | '-' | '*' | '/' | '//' | '%' | '@' | '**' | '|' | '^' | '&' | '<<' | '>>';

export interface Binary extends Base {
  kind: 'Binary';
  op: BinOp;
  left: Expr;
  right: Expr;
}

export interface BoolOp extends Base {
  kind: 'BoolOp';
  op: 'and' | 'or';
  values: Expr[];
}

/** A comparison chain like Python's: `a < b <= c`. */
export interface Compare extends Base {
  kind: 'Compare';
  left: Expr;
  ops: CmpOp[];
  comparators: Expr[];
}

export interface Ternary extends Base {
  kind: 'Ternary';
  test: Expr;
  body: Expr;
  orelse: Expr;
}

export interface Lambda extends Base {
  kind: 'Lambda';
  params: Param[];
  returns: Expr | null;
  body: Expr;
}

export interface Walrus extends Base {
  kind: 'Walrus';
  target: string;
  value: Expr;
}

/** `a |> f` (f(a)), `f <| a`, `a :> f`, `f <: a`. */
export interface Pipe extends Base {
  kind: 'Pipe';
  op: '|>' | '<|' | ':>' | '<:';
  left: Expr;
  right: Expr;
}

/** `:> W`, `|> W` (call W()), `spawn W`, `await x`. */
export interface PrefixPipe extends Base {
  kind: 'PrefixPipe';
  op: '|>' | ':>' | 'spawn' | 'await';
  operand: Expr;
}

/** `flow expr` / `wait expr` */
export interface Concurrent extends Base {
  kind: 'Concurrent';
  op: 'flow' | 'wait';
  value: Expr;
}

export interface Yield extends Base {
  kind: 'Yield';
  isFrom: boolean;
  value: Expr | null;
}

export type EdgeDir = 'out' | 'in' | 'any';

/** `-->`, `<--`, `<-->`, `->:E:f > 1:->`, ... */
export interface EdgeOp extends Base {
  dir: EdgeDir;
  type: Expr | null;
  conds: FilterCond[];
}

export interface EdgeHop extends Base {
  op: EdgeOp;
  /** A node filter after the hop: `(`?T)`, `(?f == 1)` or an expression (`[n --> m]`). */
  filter: { kind: 'Filter'; type: Expr | null; conds: FilterCond[] } | { kind: 'Target'; expr: Expr } | null;
}

/** `[-->]`, `[n ->:E:-> -->]`, `[edge n -->]` */
export interface EdgeRef extends Base {
  kind: 'EdgeRef';
  /** `[edge ...]` returns edges, `[node ...]` or no prefix returns nodes. */
  returns: 'node' | 'edge';
  explicitReturns: boolean;
  origin: Expr | null;
  hops: EdgeHop[];
}

/** `L ++> R`, `L <++ R`, `L <++> R`, `L +>:E:f=1:+> R` ... */
export interface Connect extends Base {
  kind: 'Connect';
  left: Expr;
  right: Expr;
  dir: EdgeDir;
  /** The edge type or instance between the colons; null for a generic edge. */
  edge: Expr | null;
  assigns: Keyword[];
}

/** `L del --> R`, `L del ->:E:-> R` */
export interface Disconnect extends Base {
  kind: 'Disconnect';
  left: Expr;
  right: Expr;
  op: EdgeOp;
}

export interface Spawn extends Base {
  kind: 'Spawn';
  left: Expr;
  right: Expr;
}

export type Expr =
  | Name | Special | TypeRef | Int | Float | Str | FString | Constant
  | ListExpr | TupleExpr | SetExpr | DictExpr | ListComp | DictComp | Starred | RefExpr
  | Call | Attribute | Index | Slice | FilterCompr | AssignCompr
  | Unary | Binary | BoolOp | Compare | Ternary | Lambda | Walrus | Pipe | PrefixPipe | Concurrent | Yield
  | EdgeRef | Connect | Disconnect | Spawn;

export type Node = Module | Stmt | Expr;
