// A small evaluator for the subset of CloudWatch metric math this library generates, and for
// CloudWatch's per-period statistics over per-minute data. Tested on its own in
// test/observability/metric-math.test.ts.
//
// Semantics (one timestamp at a time, as CloudWatch aligns series by timestamp):
// - a missing data point is `undefined`; arithmetic, comparisons and logic on a missing operand are
//   missing; division by zero is missing (CloudWatch drops such points);
// - comparisons and AND/OR/NOT yield 1 or 0;
// - IF(c, a, b) is missing when c is, else a when c != 0, else b; IF(c, a) is missing when c is 0;
// - FILL(m, v) is v where m is missing (FILL(m, REPEAT|LINEAR) is outside the subset and rejected).
// @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html

/** A data point: a number, or `undefined` when there is none. */
export type Value = number | undefined;

export type Expr =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'id'; readonly name: string }
  | { readonly kind: 'unary'; readonly op: '-' | 'NOT'; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'call'; readonly fn: 'IF' | 'FILL'; readonly args: readonly Expr[] };

type BinaryOp = '+' | '-' | '*' | '/' | '>' | '<' | '>=' | '<=' | '==' | '!=' | 'AND' | 'OR';

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|&&|\|\||[-+*/()<>,!]))/y;

/** Binary operators by precedence, loosest first. */
const LEVELS: readonly (readonly BinaryOp[])[] = [['OR'], ['AND'], ['>', '<', '>=', '<=', '==', '!='], ['+', '-'], ['*', '/']];
const ALIASES: Record<string, string> = { '&&': 'AND', '||': 'OR', '!': 'NOT' };

/** Parses a metric-math expression of the supported subset; throws on anything else. */
export function parseExpression(text: string): Expr {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (text.slice(start).trim() === '') break;
      throw new Error(`metric math: unexpected character at ${start} in "${text}"`);
    }
    const token = m[1] ?? m[2] ?? m[3];
    tokens.push(ALIASES[token] ?? token);
  }
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expect = (t: string) => {
    if (next() !== t) throw new Error(`metric math: expected "${t}" at token ${i - 1} in "${text}"`);
  };

  const level = (n: number): Expr => {
    if (n === LEVELS.length) return unary();
    let left = level(n + 1);
    while ((LEVELS[n] as readonly string[]).includes(peek())) {
      const op = next() as BinaryOp;
      left = { kind: 'binary', op, left, right: level(n + 1) };
    }
    return left;
  };
  const unary = (): Expr => {
    if (peek() === '-' || peek() === 'NOT') {
      const op = next() as '-' | 'NOT';
      return { kind: 'unary', op, arg: unary() };
    }
    return primary();
  };
  const primary = (): Expr => {
    const t = next();
    if (t === undefined) throw new Error(`metric math: unexpected end of "${text}"`);
    if (t === '(') {
      const e = level(0);
      expect(')');
      return e;
    }
    if (/^\d/.test(t)) return { kind: 'number', value: Number(t) };
    if (peek() === '(') {
      if (t !== 'IF' && t !== 'FILL') throw new Error(`metric math: function ${t} is outside the supported subset`);
      next();
      const args: Expr[] = [level(0)];
      while (peek() === ',') {
        next();
        args.push(level(0));
      }
      expect(')');
      if (t === 'IF' && args.length !== 2 && args.length !== 3) throw new Error('metric math: IF takes 2 or 3 arguments');
      if (t === 'FILL' && args.length !== 2) throw new Error('metric math: only FILL(m, value) is supported');
      return { kind: 'call', fn: t, args };
    }
    if (t === 'REPEAT' || t === 'LINEAR') throw new Error('metric math: only FILL(m, value) is supported');
    if (!/^[a-z][A-Za-z0-9_]*$/.test(t)) throw new Error(`metric math: "${t}" is not an id (a lowercase letter, then letters, digits or _)`);
    return { kind: 'id', name: t };
  };

  const expr = level(0);
  if (i !== tokens.length) throw new Error(`metric math: unexpected "${tokens[i]}" in "${text}"`);
  return expr;
}

/** The ids an expression reads. */
export function expressionIds(e: Expr): string[] {
  switch (e.kind) {
    case 'number':
      return [];
    case 'id':
      return [e.name];
    case 'unary':
      return expressionIds(e.arg);
    case 'binary':
      return [...new Set([...expressionIds(e.left), ...expressionIds(e.right)])];
    case 'call':
      return [...new Set(e.args.flatMap(expressionIds))];
  }
}

const bool = (b: boolean) => (b ? 1 : 0);

/** Evaluates at one timestamp; `lookup` gives the data point of an id there. */
export function evaluate(e: Expr, lookup: (id: string) => Value): Value {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'id':
      return lookup(e.name);
    case 'unary': {
      const v = evaluate(e.arg, lookup);
      if (v === undefined) return undefined;
      return e.op === '-' ? -v : bool(v === 0);
    }
    case 'binary': {
      const l = evaluate(e.left, lookup);
      const r = evaluate(e.right, lookup);
      if (l === undefined || r === undefined) return undefined;
      switch (e.op) {
        case '+': return l + r;
        case '-': return l - r;
        case '*': return l * r;
        case '/': return r === 0 ? undefined : l / r;
        case '>': return bool(l > r);
        case '<': return bool(l < r);
        case '>=': return bool(l >= r);
        case '<=': return bool(l <= r);
        case '==': return bool(l === r);
        case '!=': return bool(l !== r);
        case 'AND': return bool(l !== 0 && r !== 0);
        case 'OR': return bool(l !== 0 || r !== 0);
      }
      return undefined;
    }
    case 'call': {
      if (e.fn === 'FILL') return evaluate(e.args[0], lookup) ?? evaluate(e.args[1], lookup);
      const c = evaluate(e.args[0], lookup);
      if (c === undefined) return undefined;
      if (c !== 0) return evaluate(e.args[1], lookup);
      return e.args.length === 3 ? evaluate(e.args[2], lookup) : undefined;
    }
  }
}

/** What was recorded in one minute: a statistic set, and the raw values where percentiles are needed. */
export interface MinutePoint {
  readonly sampleCount: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly values?: readonly number[];
}

/** A point for `n` samples of the same value (e.g. `n` requests each counted as 1). */
export function repeated(value: number, n: number): MinutePoint | undefined {
  return n === 0 ? undefined : { sampleCount: n, sum: value * n, min: value, max: value };
}

/** A point for raw samples, percentiles included. */
export function samples(values: readonly number[]): MinutePoint | undefined {
  if (values.length === 0) return undefined;
  return { sampleCount: values.length, sum: values.reduce((a, b) => a + b, 0), min: Math.min(...values), max: Math.max(...values), values };
}

/** Per-minute data of one metric (index = minute), with prefix sums for fast Sum and SampleCount. */
export class MinuteSeries {
  private readonly prefixSum: Float64Array;
  private readonly prefixCount: Float64Array;

  constructor(public readonly points: readonly (MinutePoint | undefined)[]) {
    this.prefixSum = new Float64Array(points.length + 1);
    this.prefixCount = new Float64Array(points.length + 1);
    points.forEach((p, m) => {
      this.prefixSum[m + 1] = this.prefixSum[m] + (p?.sum ?? 0);
      this.prefixCount[m + 1] = this.prefixCount[m] + (p?.sampleCount ?? 0);
    });
  }

  /**
   * The statistic over the `periodMinutes` minutes ending with minute `end` (inclusive): the data
   * point CloudWatch's sliding window has when it evaluates at the end of minute `end`. Missing
   * when no minute in the period has data.
   */
  public statistic(statistic: string, end: number, periodMinutes: number): Value {
    const from = Math.max(0, end - periodMinutes + 1);
    const to = Math.min(end, this.points.length - 1);
    if (to < from) return undefined;
    const count = this.prefixCount[to + 1] - this.prefixCount[from];
    if (count === 0) return undefined;
    const sum = this.prefixSum[to + 1] - this.prefixSum[from];
    if (statistic === 'Sum') return sum;
    if (statistic === 'SampleCount') return count;
    if (statistic === 'Average') return sum / count;
    const present = this.points.slice(from, to + 1).filter((p): p is MinutePoint => p !== undefined);
    if (statistic === 'Minimum') return Math.min(...present.map((p) => p.min));
    if (statistic === 'Maximum') return Math.max(...present.map((p) => p.max));
    const percentile = /^p(\d+(?:\.\d+)?)$/.exec(statistic);
    if (!percentile) throw new Error(`statistic ${statistic} is outside the supported subset`);
    const values = present.flatMap((p) => {
      if (!p.values) throw new Error(`${statistic} needs raw values, and a minute has only a statistic set`);
      return p.values;
    });
    return nearestRank(values, Number(percentile[1]));
  }
}

/** The nearest-rank percentile (CloudWatch estimates percentiles; on few distinct values they agree). */
export function nearestRank(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
