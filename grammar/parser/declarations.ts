// Declaration rules and the module: archetypes, enums, `has`, abilities and functions, `impl`,
// imports, globals, `with entry {}` blocks. This is the complete parser.
import type { TokenType } from 'chevrotain';
import { jacErrorMessages } from '../error-messages.ts';
import * as T from '../tokens.ts';
import { IndexedLookaheadStrategy } from './lookahead.ts';
import { StatementParser } from './statements.ts';

const nameTokens = [T.Identifier, T.KwEscName];

export class JacParser extends StatementParser {
  constructor(tokens: TokenType[]) {
    // recovery on: one run reports every independent error; lookahead 3 tells `f(` `x` `:` apart.
    super(tokens, {
      recoveryEnabled: true,
      maxLookahead: 3,
      nodeLocationTracking: 'full',
      errorMessageProvider: jacErrorMessages,
      lookaheadStrategy: new IndexedLookaheadStrategy({ maxLookahead: 3 }),
    });
    this.performSelfAnalysis();
  }

  module = this.RULE('module', () => {
    this.OPTION(() => this.CONSUME(T.String, { LABEL: 'doc' }));
    this.MANY(() => this.SUBRULE(this.topLevel));
  });

  topLevel = this.RULE('topLevel', () => {
    this.OPTION(() => this.CONSUME(T.String, { LABEL: 'doc' }));
    this.OR(this.alts('topLevel.OR', () => [
      { ALT: () => this.SUBRULE(this.importStmt) },
      { ALT: () => this.SUBRULE(this.decorated) },
      { ALT: () => this.SUBRULE(this.globalVar) },
      { ALT: () => this.SUBRULE(this.freeCode) },
      { ALT: () => this.SUBRULE(this.pyInline) },
      { ALT: () => this.SUBRULE(this.testDecl) },
    ]));
  });

  /** Archetypes, enums, abilities and impls, each with optional `@decorators`. */
  override decorated = this.RULE('decorated', () => {
    this.MANY(() => {
      this.CONSUME(T.At);
      this.SUBRULE(this.atomicChain, { LABEL: 'decorators' });
    });
    this.OR(this.alts('decorated.OR', () => [
      { ALT: () => this.SUBRULE(this.archetype) },
      { ALT: () => this.SUBRULE(this.enumDecl) },
      { ALT: () => this.SUBRULE(this.ability) },
      { ALT: () => this.SUBRULE(this.implDef) },
    ]));
  });

  override archetype = this.RULE('archetype', () => {
    this.OPTION(() => this.CONSUME(T.KwAsync));
    this.OR(this.alts('archetype.OR', () => [
      { ALT: () => this.CONSUME(T.KwObj) },
      { ALT: () => this.CONSUME(T.KwNode) },
      { ALT: () => this.CONSUME(T.KwEdge) },
      { ALT: () => this.CONSUME(T.KwWalker) },
      { ALT: () => this.CONSUME(T.KwClass) },
    ]));
    this.OPTION2(() => this.SUBRULE(this.accessTag));
    this.SUBRULE(this.anyName);
    this.OPTION3(() => this.SUBRULE(this.inheritedArchs));
    this.OR2(this.alts('archetype.OR2', () => [
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.MANY(() => this.SUBRULE(this.member));
          this.CONSUME(T.RBrace);
        },
      },
      { ALT: () => this.CONSUME(T.Semi) },
    ]));
  });

  member = this.RULE('member', () => {
    this.OPTION(() => this.CONSUME(T.String, { LABEL: 'doc' }));
    this.OR(this.alts('member.OR', () => [
      { ALT: () => this.SUBRULE(this.pyInline) },
      { ALT: () => this.SUBRULE(this.decorated) },
      { ALT: () => this.SUBRULE(this.hasStmt) },
      { ALT: () => this.SUBRULE(this.freeCode) },
    ]));
  });

  accessTag = this.RULE('accessTag', () => {
    this.CONSUME(T.Colon);
    this.OR([
      { ALT: () => this.CONSUME(T.KwPriv) },
      { ALT: () => this.CONSUME(T.KwPub) },
      { ALT: () => this.CONSUME(T.KwProtect) },
    ]);
  });

  inheritedArchs = this.RULE('inheritedArchs', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.atomicChain);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.atomicChain);
    });
    this.CONSUME(T.RParen);
  });

  override hasStmt = this.RULE('hasStmt', () => {
    this.OPTION(() => this.CONSUME(T.KwStatic));
    this.OR([{ ALT: () => this.CONSUME(T.KwHas) }, { ALT: () => this.CONSUME(T.KwLet) }]);
    this.OPTION2(() => this.SUBRULE(this.accessTag));
    this.SUBRULE(this.hasVar);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.hasVar);
    });
    this.CONSUME(T.Semi);
  });

  hasVar = this.RULE('hasVar', () => {
    this.SUBRULE(this.anyName);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression, { LABEL: 'type' });
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Eq);
            this.SUBRULE2(this.expression, { LABEL: 'value' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KwBy);
            this.CONSUME(T.KwPostinit);
          },
        },
      ]),
    );
  });

  override enumDecl = this.RULE('enumDecl', () => {
    this.CONSUME(T.KwEnum);
    this.OPTION(() => this.SUBRULE(this.accessTag));
    this.SUBRULE(this.anyName);
    this.OPTION2(() => this.SUBRULE(this.inheritedArchs));
    this.OR([{ ALT: () => this.SUBRULE(this.enumBody) }, { ALT: () => this.CONSUME(T.Semi) }]);
  });

  enumBody = this.RULE('enumBody', () => {
    this.CONSUME(T.LBrace);
    this.OPTION(() => {
      this.SUBRULE(this.enumMember);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.enumMember);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma, { LABEL: 'trailingComma' }));
    });
    this.MANY2(() =>
      this.OR([{ ALT: () => this.SUBRULE(this.pyInline) }, { ALT: () => this.SUBRULE(this.freeCode) }]),
    );
    this.CONSUME(T.RBrace);
  });

  enumMember = this.RULE('enumMember', () => {
    this.SUBRULE(this.anyName);
    this.OPTION(() => {
      this.CONSUME(T.Eq);
      this.SUBRULE(this.expression);
    });
  });

  /** `def` functions and `can` abilities, with `async`, `override`, `static`. */
  override ability = this.RULE('ability', () => {
    this.OPTION(() => this.CONSUME(T.KwAsync));
    this.OPTION2(() => this.CONSUME(T.KwOverride));
    this.OPTION3(() => this.CONSUME(T.KwStatic));
    this.OR(this.alts('ability.OR', () => [
      {
        ALT: () => {
          this.CONSUME(T.KwDef);
          this.OPTION4(() => this.SUBRULE(this.accessTag));
          this.SUBRULE(this.anyName);
          this.OPTION5(() => this.SUBRULE(this.signature));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.KwCan);
          this.OPTION6(() => this.SUBRULE2(this.accessTag));
          this.SUBRULE2(this.anyName);
          this.SUBRULE(this.eventClause);
        },
      },
    ]));
    this.SUBRULE(this.abilityBody);
  });

  /** `{ ... }`, `by expr;`, or `;` / `abs;` for a declaration without a body. */
  abilityBody = this.RULE('abilityBody', () => {
    this.OR(this.alts('abilityBody.OR', () => [
      { ALT: () => this.SUBRULE(this.codeBlock) },
      {
        ALT: () => {
          this.CONSUME(T.KwBy);
          this.SUBRULE(this.atomicChain, { LABEL: 'by' });
          this.CONSUME(T.Semi);
        },
      },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(T.KwAbs));
          this.CONSUME2(T.Semi);
        },
      },
    ]));
  });

  signature = this.RULE('signature', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.OPTION(() => this.SUBRULE(this.params));
          this.CONSUME(T.RParen);
          this.OPTION2(() => {
            this.CONSUME(T.ReturnHint);
            this.SUBRULE(this.expression, { LABEL: 'returns' });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.ReturnHint);
          this.SUBRULE2(this.expression, { LABEL: 'returns' });
        },
      },
    ]);
  });

  eventClause = this.RULE('eventClause', () => {
    this.CONSUME(T.KwWith);
    this.OPTION({
      GATE: () => this.LA(1).tokenType !== T.KwEntry && this.LA(1).tokenType !== T.KwExit,
      DEF: () => this.SUBRULE(this.expression, { LABEL: 'type' }),
    });
    this.OR([{ ALT: () => this.CONSUME(T.KwEntry) }, { ALT: () => this.CONSUME(T.KwExit) }]);
    this.OPTION2(() => {
      this.CONSUME(T.ReturnHint);
      this.SUBRULE2(this.expression, { LABEL: 'returns' });
    });
  });

  override implDef = this.RULE('implDef', () => {
    this.CONSUME(T.KwImpl);
    this.SUBRULE(this.anyName, { LABEL: 'target' });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.SUBRULE2(this.anyName, { LABEL: 'target' });
    });
    this.OPTION(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.inheritedArchs) },
        { ALT: () => this.SUBRULE(this.signature) },
        { ALT: () => this.SUBRULE(this.eventClause) },
      ]),
    );
    this.OR2([
      { GATE: () => this.isEnumBody(), ALT: () => this.SUBRULE(this.enumBody) },
      { ALT: () => this.SUBRULE(this.abilityBody) },
    ]);
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

  override importStmt = this.RULE('importStmt', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.KwImport);
          this.CONSUME(T.KwFrom);
          this.SUBRULE(this.fromPath);
          this.CONSUME(T.LBrace);
          this.SUBRULE(this.importItem);
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.OPTION(() => this.SUBRULE2(this.importItem));
          });
          this.CONSUME(T.RBrace);
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.KwImport);
          this.SUBRULE(this.importPath);
          this.MANY2(() => {
            this.CONSUME2(T.Comma);
            this.SUBRULE2(this.importPath);
          });
          this.CONSUME(T.Semi);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.KwInclude);
          this.SUBRULE3(this.importPath);
          this.CONSUME2(T.Semi);
        },
      },
    ]);
  });

  /** `.sibling`, `..pkg.mod`, `pkg.mod`, `.` */
  fromPath = this.RULE('fromPath', () => {
    this.MANY(() => this.OR([{ ALT: () => this.CONSUME(T.Dot) }, { ALT: () => this.CONSUME(T.Ellipsis) }]));
    this.OPTION(() => this.SUBRULE(this.dottedName));
  });

  importPath = this.RULE('importPath', () => {
    this.SUBRULE(this.dottedName);
    this.OPTION(() => {
      this.CONSUME(T.KwAs);
      this.SUBRULE(this.anyName, { LABEL: 'alias' });
    });
  });

  dottedName = this.RULE('dottedName', () => {
    this.SUBRULE(this.name);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.SUBRULE2(this.anyName);
    });
  });

  importItem = this.RULE('importItem', () => {
    this.SUBRULE(this.anyName);
    this.OPTION(() => {
      this.CONSUME(T.KwAs);
      this.SUBRULE2(this.anyName, { LABEL: 'alias' });
    });
  });

  globalVar = this.RULE('globalVar', () => {
    this.OR([{ ALT: () => this.CONSUME(T.KwGlob) }, { ALT: () => this.CONSUME(T.KwLet) }]);
    this.OPTION(() => this.SUBRULE(this.accessTag));
    this.SUBRULE(this.assignment);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.assignment);
    });
    this.CONSUME(T.Semi);
  });

  freeCode = this.RULE('freeCode', () => {
    this.CONSUME(T.KwWith);
    this.CONSUME(T.KwEntry);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.anyName);
    });
    this.SUBRULE(this.codeBlock);
  });

  override pyInline = this.RULE('pyInline', () => {
    this.CONSUME(T.PyInline);
  });

  testDecl = this.RULE('testDecl', () => {
    this.CONSUME(T.KwTest);
    this.OPTION(() => this.SUBRULE(this.anyName));
    this.SUBRULE(this.codeBlock);
  });
}

/** One parser for the process: Chevrotain parsers are reused by assigning `input`. */
export const jacParser = new JacParser(T.allTokens);
