// Declaration rules and the module: archetypes, enums, `has`, abilities and functions, `impl`,
// imports, globals, `with entry {}` blocks. This is the complete parser.
import type { IToken, ParserMethod, TokenType } from 'chevrotain';
import type * as A from '../ast.ts';
import { nameText } from '../build/context.ts';
import { decodeString } from '../build/literals.ts';
import { jacErrorMessages } from '../error-messages.ts';
import { skipGrammarChecks } from '../grammar-checks.ts';
import * as T from '../tokens.ts';
import { IndexedLookaheadStrategy } from './lookahead.ts';
import { StatementParser } from './statements.ts';

type Rule<R> = ParserMethod<[], R>;
type EnumBody = { members: A.EnumMember[]; stmts: A.Stmt[] };

const nameTokens = [T.Identifier, T.KwEscName];
const archetypeKinds = [T.KwObj, T.KwNode, T.KwEdge, T.KwWalker, T.KwClass];

export class JacParser extends StatementParser {
  /**
   * `recover`: after an error, resynchronise and go on, so one run reports every independent
   * error. It costs about a fifth of the parse time, so valid input is parsed without it.
   * `check`: validate the grammar while building the parser (see grammar-checks.ts).
   */
  constructor(tokens: TokenType[], recover: boolean, check = !skipGrammarChecks) {
    // Lookahead 3 tells `(?` from `(`? and `(` from `(x`.
    super(tokens, {
      recoveryEnabled: recover,
      skipValidations: !check,
      maxLookahead: 3,
      errorMessageProvider: jacErrorMessages,
      lookaheadStrategy: new IndexedLookaheadStrategy({ maxLookahead: 3 }),
    });
    this.performSelfAnalysis();
  }

  module: Rule<A.Module> = this.RULE('module', () => {
    const start = this.LA(1);
    const doc = this.OPTION(() => this.CONSUME(T.String));
    const body: A.Stmt[] = [];
    this.MANY(() => body.push(this.SUBRULE(this.topLevel)));
    return this.act((): A.Module => ({
      kind: 'Module',
      doc: doc ? decodeString(this, doc).value : null,
      body,
      span: body.length > 0 || doc ? this.spanFrom(start) : { file: this.file, line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, endOffset: 0 },
    }));
  });

  /** A declaration, with the docstring before it. */
  topLevel: Rule<A.Stmt> = this.RULE('topLevel', () => {
    const doc = this.OPTION(() => this.CONSUME(T.String));
    const stmt = this.OR(
      this.alts('topLevel', () => [
        { ALT: () => this.SUBRULE(this.importStmt) as A.Stmt },
        { ALT: () => this.SUBRULE(this.decorated) },
        { ALT: () => this.SUBRULE(this.globalVar) },
        { ALT: () => this.SUBRULE(this.freeCode) },
        { ALT: () => this.SUBRULE(this.pyInline) },
        { ALT: () => this.SUBRULE(this.testDecl) },
      ]),
    );
    return this.act(() => this.withDoc(stmt, doc));
  });

  private withDoc(stmt: A.Stmt, doc: IToken | undefined): A.Stmt {
    if (doc && 'doc' in stmt) stmt.doc = decodeString(this, doc).value;
    return stmt;
  }

  /** Archetypes, enums, abilities and impls, each with optional `@decorators`. */
  override decorated: Rule<A.Stmt> = this.RULE('decorated', () => {
    const decorators: A.Expr[] = [];
    this.MANY(() => {
      this.CONSUME(T.At);
      decorators.push(this.SUBRULE(this.atomicChain));
    });
    const stmt = this.OR(
      this.alts('decorated', () => [
        { ALT: () => this.SUBRULE(this.archetype) as A.Archetype | A.Enum | A.Ability | A.FunctionDef | A.Impl },
        { ALT: () => this.SUBRULE(this.enumDecl) },
        { ALT: () => this.SUBRULE(this.ability) },
        { ALT: () => this.SUBRULE(this.implDef) },
      ]),
    );
    return this.act(() => {
      stmt.decorators = decorators;
      return stmt;
    });
  });

  archetype: Rule<A.Archetype> = this.RULE('archetype', () => {
    const start = this.LA(1);
    const isAsync = this.OPTION(() => this.CONSUME(T.KwAsync)) !== undefined;
    const kind = this.OR(this.alts('archetype', () => archetypeKinds.map((tok) => ({ ALT: () => this.CONSUME(tok) }))));
    const access = this.OPTION2(() => this.SUBRULE(this.accessTag)) ?? null;
    const name = this.SUBRULE(this.anyName);
    const bases = this.OPTION3(() => this.SUBRULE(this.inheritedArchs)) ?? [];
    const body = this.OR2(
      this.alts('archetype.body', () => [
        {
          ALT: () => {
            this.CONSUME(T.LBrace);
            const members: A.Stmt[] = [];
            this.MANY(() => members.push(this.SUBRULE(this.member)));
            this.CONSUME(T.RBrace);
            return members as A.Stmt[] | null;
          },
        },
        { ALT: () => (this.CONSUME(T.Semi), null) },
      ]),
    );
    return this.act((): A.Archetype => {
      const archKind = kind.image as A.ArchetypeKind;
      return { kind: 'Archetype', archKind, name: nameText(name), access, bases, decorators: [], isAsync, doc: null, body, span: this.spanFrom(start) };
    });
  });

  member: Rule<A.Stmt> = this.RULE('member', () => {
    const doc = this.OPTION(() => this.CONSUME(T.String));
    const stmt = this.OR(
      this.alts('member', () => [
        { ALT: () => this.SUBRULE(this.pyInline) as A.Stmt },
        { ALT: () => this.SUBRULE(this.decorated) },
        { ALT: () => this.SUBRULE(this.hasStmt) },
        { ALT: () => this.SUBRULE(this.freeCode) },
      ]),
    );
    return this.act(() => this.withDoc(stmt, doc));
  });

  accessTag: Rule<A.AccessTag> = this.RULE('accessTag', () => {
    this.CONSUME(T.Colon);
    const t = this.OR(
      this.alts('accessTag', () => [{ ALT: () => this.CONSUME(T.KwPriv) }, { ALT: () => this.CONSUME(T.KwPub) }, { ALT: () => this.CONSUME(T.KwProtect) }]),
    );
    return this.act(() => t.image as A.AccessTag);
  });

  inheritedArchs: Rule<A.Expr[]> = this.RULE('inheritedArchs', () => {
    this.CONSUME(T.LParen);
    const bases = [this.SUBRULE(this.atomicChain)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      bases.push(this.SUBRULE2(this.atomicChain));
    });
    this.CONSUME(T.RParen);
    return bases;
  });

  override hasStmt: Rule<A.Has> = this.RULE('hasStmt', () => {
    const start = this.LA(1);
    const isStatic = this.OPTION(() => this.CONSUME(T.KwStatic)) !== undefined;
    this.OR(this.alts('hasStmt', () => [{ ALT: () => this.CONSUME(T.KwHas) }, { ALT: () => this.CONSUME(T.KwLet) }]));
    const access = this.OPTION2(() => this.SUBRULE(this.accessTag)) ?? null;
    const vars = [this.SUBRULE(this.hasVar)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      vars.push(this.SUBRULE2(this.hasVar));
    });
    this.CONSUME(T.Semi);
    return this.act((): A.Has => ({ kind: 'Has', isStatic, access, vars, doc: null, span: this.spanFrom(start) }));
  });

  hasVar: Rule<A.HasVar> = this.RULE('hasVar', () => {
    const name = this.SUBRULE(this.anyName);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.expression);
    const init = this.OPTION(() =>
      this.OR(
        this.alts('hasVar', () => [
          {
            ALT: () => {
              this.CONSUME(T.Eq);
              return { value: this.SUBRULE2(this.expression) as A.Expr | null };
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.KwBy);
              this.CONSUME(T.KwPostinit);
              return { value: null };
            },
          },
        ]),
      ),
    );
    return this.act((): A.HasVar => ({ name: nameText(name), type, value: init?.value ?? null, byPostinit: init !== undefined && init.value === null, span: this.spanFrom(name) }));
  });

  enumDecl: Rule<A.Enum> = this.RULE('enumDecl', () => {
    const start = this.CONSUME(T.KwEnum);
    const access = this.OPTION(() => this.SUBRULE(this.accessTag)) ?? null;
    const name = this.SUBRULE(this.anyName);
    const bases = this.OPTION2(() => this.SUBRULE(this.inheritedArchs)) ?? [];
    const body = this.OR(
      this.alts('enumDecl', () => [{ ALT: () => this.SUBRULE(this.enumBody) as EnumBody | null }, { ALT: () => (this.CONSUME(T.Semi), null) }]),
    );
    return this.act((): A.Enum => ({
      kind: 'Enum',
      name: nameText(name),
      access,
      bases,
      decorators: [],
      doc: null,
      members: body ? body.members : null,
      body: body ? body.stmts : [],
      span: this.spanFrom(start),
    }));
  });

  enumBody: Rule<EnumBody> = this.RULE('enumBody', () => {
    this.CONSUME(T.LBrace);
    const members: A.EnumMember[] = [];
    this.OPTION(() => {
      members.push(this.SUBRULE(this.enumMember));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        members.push(this.SUBRULE2(this.enumMember));
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    const stmts: A.Stmt[] = [];
    this.MANY2(() =>
      stmts.push(this.OR(this.alts('enumBody', () => [{ ALT: () => this.SUBRULE(this.pyInline) as A.Stmt }, { ALT: () => this.SUBRULE(this.freeCode) }]))),
    );
    this.CONSUME(T.RBrace);
    return this.act(() => {
      const seen = new Set<string>();
      for (const m of members) {
        if (seen.has(m.name)) this.report('JAC_SYNTAX_INVALID', `enum member '${m.name}' is defined twice`, m.span);
        seen.add(m.name);
      }
      return { members, stmts };
    });
  });

  enumMember: Rule<A.EnumMember> = this.RULE('enumMember', () => {
    const name = this.SUBRULE(this.anyName);
    const value = this.OPTION(() => {
      this.CONSUME(T.Eq);
      return this.SUBRULE(this.expression);
    });
    return this.act(() => ({ name: nameText(name), value: value ?? null, span: this.spanFrom(name) }));
  });

  /** `def` functions and `can` abilities, with `async`, `override`, `static`. */
  ability: Rule<A.Ability | A.FunctionDef> = this.RULE('ability', () => {
    const start = this.LA(1);
    const isAsync = this.OPTION(() => this.CONSUME(T.KwAsync)) !== undefined;
    const isOverride = this.OPTION2(() => this.CONSUME(T.KwOverride)) !== undefined;
    const isStatic = this.OPTION3(() => this.CONSUME(T.KwStatic)) !== undefined;
    const head = this.OR(
      this.alts('ability', () => [
        {
          ALT: () => {
            this.CONSUME(T.KwDef);
            const access = this.OPTION4(() => this.SUBRULE(this.accessTag)) ?? null;
            const name = this.SUBRULE(this.anyName);
            const signature = this.OPTION5(() => this.SUBRULE(this.signature)) ?? null;
            return { access, name, signature, event: null as A.EventClause | null };
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KwCan);
            const access = this.OPTION6(() => this.SUBRULE2(this.accessTag)) ?? null;
            const name = this.SUBRULE2(this.anyName);
            const event = this.SUBRULE(this.eventClause);
            return { access, name, signature: null as A.Signature | null, event };
          },
        },
      ]),
    );
    const body = this.SUBRULE(this.abilityBody);
    return this.act((): A.Ability | A.FunctionDef => {
      const common = {
        name: nameText(head.name),
        access: head.access,
        isStatic,
        isOverride,
        isAsync,
        isAbstract: body.isAbstract,
        decorators: [],
        doc: null,
        body: body.body,
        span: this.spanFrom(start),
      };
      if (head.event) return { kind: 'Ability', ...common, event: head.event };
      return { kind: 'Function', ...common, signature: head.signature };
    });
  });

  /** `{ ... }`, `by expr;`, or `;` / `abs;` for a declaration without a body. */
  abilityBody: Rule<{ body: A.Body; isAbstract: boolean }> = this.RULE('abilityBody', () =>
    this.OR(
      this.alts('abilityBody', () => [
        {
          ALT: () => {
            const stmts = this.SUBRULE(this.codeBlock);
            return { body: { kind: 'Block', stmts } as A.Body, isAbstract: false };
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KwBy);
            const expr = this.SUBRULE(this.atomicChain);
            this.CONSUME(T.Semi);
            return { body: { kind: 'By', expr } as A.Body, isAbstract: false };
          },
        },
        {
          ALT: () => {
            const abs = this.OPTION(() => this.CONSUME(T.KwAbs));
            this.CONSUME2(T.Semi);
            return { body: null, isAbstract: abs !== undefined };
          },
        },
      ]),
    ),
  );

  signature: Rule<A.Signature> = this.RULE('signature', () => {
    const start = this.LA(1);
    const sig = this.OR(
      this.alts('signature', () => [
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            const params = this.OPTION(() => this.SUBRULE(this.params)) ?? [];
            this.CONSUME(T.RParen);
            const returns = this.OPTION2(() => {
              this.CONSUME(T.ReturnHint);
              return this.SUBRULE(this.expression);
            });
            return { params, returns: returns ?? null, hasParens: true };
          },
        },
        {
          ALT: () => {
            this.CONSUME2(T.ReturnHint);
            return { params: [], returns: this.SUBRULE2(this.expression) as A.Expr | null, hasParens: false };
          },
        },
      ]),
    );
    return this.act((): A.Signature => ({ ...sig, span: this.spanFrom(start) }));
  });

  eventClause: Rule<A.EventClause> = this.RULE('eventClause', () => {
    const start = this.CONSUME(T.KwWith);
    const type = this.OPTION({
      GATE: () => this.LA(1).tokenType !== T.KwEntry && this.LA(1).tokenType !== T.KwExit,
      DEF: () => this.SUBRULE(this.expression),
    });
    const event = this.OR(this.alts('eventClause', () => [{ ALT: () => this.CONSUME(T.KwEntry) }, { ALT: () => this.CONSUME(T.KwExit) }]));
    const returns = this.OPTION2(() => {
      this.CONSUME(T.ReturnHint);
      return this.SUBRULE2(this.expression);
    });
    return this.act((): A.EventClause => ({ type: type ?? null, event: event.image as 'entry' | 'exit', returns: returns ?? null, span: this.spanFrom(start) }));
  });

  implDef: Rule<A.Impl> = this.RULE('implDef', () => {
    const start = this.CONSUME(T.KwImpl);
    const target = [this.SUBRULE(this.anyName)];
    this.MANY(() => {
      this.CONSUME(T.Dot);
      target.push(this.SUBRULE2(this.anyName));
    });
    const spec = this.OPTION(() =>
      this.OR(
        this.alts('implDef.spec', () => [
          { ALT: (): A.ImplSpec => ({ kind: 'Bases', bases: this.SUBRULE(this.inheritedArchs) }) },
          { ALT: (): A.ImplSpec => ({ kind: 'Signature', signature: this.SUBRULE(this.signature) }) },
          { ALT: (): A.ImplSpec => ({ kind: 'Event', event: this.SUBRULE(this.eventClause) }) },
        ]),
      ),
    );
    const body = this.OR2([
      { GATE: () => this.isEnumBody(), ALT: (): A.Impl['body'] => ({ kind: 'EnumBody', ...this.SUBRULE(this.enumBody) }) },
      { ALT: (): A.Impl['body'] => this.SUBRULE(this.abilityBody)?.body ?? null },
    ]);
    return this.act((): A.Impl => ({ kind: 'Impl', target: target.map(nameText), spec: spec ?? null, decorators: [], doc: null, body, span: this.spanFrom(start) }));
  });

  /** `impl Color { RED = 1, GREEN }` (enum members) as opposed to a code block. */
  private isEnumBody(): boolean {
    if (this.LA(1).tokenType !== T.LBracePlain) return false;
    const second = this.LA(2).tokenType;
    if (!nameTokens.includes(second) && !second.CATEGORIES?.includes(T.Keyword)) return false;
    const third = this.LA(3).tokenType;
    if (third !== T.Eq && third !== T.Comma && third !== T.RBracePlain) return false;
    let depth = 0;
    for (let i = 1; ; i++) {
      const t = this.LA(i).tokenType;
      if (t === T.LParen || t === T.LSquare || t === T.LBracePlain) depth++;
      else if (t === T.RParen || t === T.RSquare || t === T.RBracePlain) depth--;
      if (t.name === 'EOF' || (depth === 1 && t === T.Semi)) return false;
      if (depth === 0 || (depth === 1 && t === T.Comma)) return true;
    }
  }

  override importStmt: Rule<A.Import> = this.RULE('importStmt', () => {
    const start = this.LA(1);
    const parts = this.OR(
      this.alts('importStmt', () => [
        {
          ALT: () => {
            this.CONSUME(T.KwImport);
            this.CONSUME(T.KwFrom);
            const from = this.SUBRULE(this.fromPath);
            this.CONSUME(T.LBrace);
            const items = [this.SUBRULE(this.importItem)];
            this.MANY(() => {
              this.CONSUME(T.Comma);
              this.OPTION(() => items.push(this.SUBRULE2(this.importItem)));
            });
            this.CONSUME(T.RBrace);
            return { form: 'from' as const, paths: [from], items };
          },
        },
        {
          ALT: () => {
            this.CONSUME2(T.KwImport);
            const paths = [this.SUBRULE(this.importPath)];
            this.MANY2(() => {
              this.CONSUME2(T.Comma);
              paths.push(this.SUBRULE2(this.importPath));
            });
            this.CONSUME(T.Semi);
            return { form: 'import' as const, paths, items: [] };
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KwInclude);
            const path = this.SUBRULE3(this.importPath);
            this.CONSUME2(T.Semi);
            return { form: 'include' as const, paths: [path], items: [] };
          },
        },
      ]),
    );
    return this.act((): A.Import => {
      const at = this.spanFrom(start);
      const from = parts.paths[0];
      if (parts.form === 'from' && from.dots === 0 && from.names.length === 0) this.report('JAC_SYNTAX_INVALID', "'import from' needs a module path", at);
      return { kind: 'Import', ...parts, doc: null, span: at };
    });
  });

  /** `.sibling`, `..pkg.mod`, `pkg.mod`, `.` */
  fromPath: Rule<A.ImportPath> = this.RULE('fromPath', () => {
    const start = this.LA(1);
    let dots = 0;
    this.MANY(() => {
      const step = this.OR(
        this.alts('fromPath', () => [
          { ALT: () => (this.CONSUME(T.Dot), 1) },
          { ALT: () => (this.CONSUME(T.Ellipsis), 3) },
        ]),
      );
      dots += step;
    });
    const names = this.OPTION(() => this.SUBRULE(this.dottedName)) ?? [];
    return this.act((): A.ImportPath => ({ dots, names, alias: null, span: this.spanFrom(start) }));
  });

  importPath: Rule<A.ImportPath> = this.RULE('importPath', () => {
    const start = this.LA(1);
    const names = this.SUBRULE(this.dottedName);
    const alias = this.OPTION(() => {
      this.CONSUME(T.KwAs);
      return this.SUBRULE(this.anyName);
    });
    return this.act((): A.ImportPath => ({ dots: 0, names, alias: alias ? nameText(alias) : null, span: this.spanFrom(start) }));
  });

  dottedName: Rule<string[]> = this.RULE('dottedName', () => {
    const first = this.SUBRULE(this.name);
    const rest: IToken[] = [];
    this.MANY(() => {
      this.CONSUME(T.Dot);
      rest.push(this.SUBRULE(this.anyName));
    });
    return this.act(() => [first.name, ...rest.map(nameText)]);
  });

  importItem: Rule<A.ImportItem> = this.RULE('importItem', () => {
    const name = this.SUBRULE(this.anyName);
    const alias = this.OPTION(() => {
      this.CONSUME(T.KwAs);
      return this.SUBRULE2(this.anyName);
    });
    return this.act((): A.ImportItem => ({ name: nameText(name), alias: alias ? nameText(alias) : null, span: this.spanFrom(name) }));
  });

  globalVar: Rule<A.GlobalVar> = this.RULE('globalVar', () => {
    const start = this.LA(1);
    const keyword = this.OR(this.alts('globalVar', () => [{ ALT: () => this.CONSUME(T.KwGlob) }, { ALT: () => this.CONSUME(T.KwLet) }]));
    const access = this.OPTION(() => this.SUBRULE(this.accessTag)) ?? null;
    const assignments = [this.SUBRULE(this.assignment)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      assignments.push(this.SUBRULE2(this.assignment));
    });
    this.CONSUME(T.Semi);
    return this.act((): A.GlobalVar => {
      for (const stmt of assignments) {
        if (stmt.kind === 'ExprStmt' && stmt.expr.kind !== 'Name') this.report('JAC_SYNTAX_INVALID', "a 'glob' declares names: write 'glob name = value;'", stmt.span);
        if (stmt.kind === 'Assign' && stmt.isLet) this.report('JAC_SYNTAX_INVALID', `'let' cannot follow '${keyword.image}'`, stmt.span);
      }
      return { kind: 'GlobalVar', keyword: keyword.image as 'glob' | 'let', access, assignments, doc: null, span: this.spanFrom(start) };
    });
  });

  freeCode: Rule<A.ModuleEntry> = this.RULE('freeCode', () => {
    const start = this.CONSUME(T.KwWith);
    this.CONSUME(T.KwEntry);
    const name = this.OPTION(() => {
      this.CONSUME(T.Colon);
      return this.SUBRULE(this.anyName);
    });
    const body = this.SUBRULE(this.codeBlock);
    return this.act((): A.ModuleEntry => ({ kind: 'ModuleEntry', name: name ? nameText(name) : null, body, doc: null, span: this.spanFrom(start) }));
  });

  override pyInline: Rule<A.PyInline> = this.RULE('pyInline', () => {
    const t = this.CONSUME(T.PyInline);
    const closed = t.tokenType !== T.UnterminatedPyInline;
    return this.act((): A.PyInline => ({ kind: 'PyInline', code: t.image.slice('::py::'.length, closed ? -'::py::'.length : undefined), span: this.spanFrom(t) }));
  });

  testDecl: Rule<A.Test> = this.RULE('testDecl', () => {
    const start = this.CONSUME(T.KwTest);
    const name = this.OPTION(() => this.SUBRULE(this.anyName));
    const body = this.SUBRULE(this.codeBlock);
    return this.act((): A.Test => ({ kind: 'Test', name: name ? nameText(name) : null, body, doc: null, span: this.spanFrom(start) }));
  });
}

/** The parser for valid input (Chevrotain parsers are reused by assigning `input`). */
export const jacParser = new JacParser(T.allTokens, false);

let recovering: JacParser | undefined;

/** The error-recovering parser, built the first time a file has a syntax error. */
export function recoveringParser(): JacParser {
  return (recovering ??= new JacParser(T.allTokens, true));
}
