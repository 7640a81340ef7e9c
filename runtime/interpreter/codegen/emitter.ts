// What generating one function body's JavaScript needs: the values the code refers to (passed
// in as `k[i]`, never written into the source), its temporaries, loop labels and statement
// spans, and the scope the body's names resolve in.
import type * as A from '../../../grammar/ast.ts';
import type { Runtime } from '../compile-expr.ts';
import type { Scope } from '../scope.ts';

export class Emitter {
  /** Values the generated code reads as `k[i]`: closures, cells, constants, signals. */
  readonly refs: unknown[] = [];
  /** The span of each statement the code can be in when an error leaves it (`at` indexes it). */
  readonly spans: A.Span[] = [];
  private temps = 0;
  private labels = 0;

  constructor(
    readonly rt: Runtime,
    readonly scope: Scope,
    /** Slots that are bound on entry and never unbound (parameters no `del` or `except … as` names). */
    readonly alwaysBound: ReadonlySet<number>,
  ) {}

  ref(value: unknown): string {
    this.refs.push(value);
    return `k[${this.refs.length - 1}]`;
  }

  /** A fresh temporary: each expression node gets its own, so nested ones never clash. */
  temp(): string {
    return `t${this.temps++}`;
  }

  label(): string {
    return `L${this.labels++}`;
  }

  /** `at = i;` for statement `s`: errors raised from here on are located at it. */
  at(s: A.Stmt): string {
    this.spans.push(s.span);
    return `at = ${this.spans.length - 1};`;
  }

  get tempNames(): string[] {
    return Array.from({ length: this.temps }, (_, i) => `t${i}`);
  }
}
