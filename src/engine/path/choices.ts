import type { Rule } from '../../model/index.ts';

/**
 * Where a path could branch: `-m statistic` rules and proxies picking one of several endpoints.
 * A walk takes the first branch everywhere unless told otherwise; each branch point met is recorded
 * so that the tracer can walk the other branches as alternatives.
 */
export interface BranchPoint {
  id: string;
  /** How many branches it has (a statistic rule: 2, match or not). */
  options: number;
  /** A label per option, for the alternative's reason. */
  labels: string[];
}

export class Choices {
  readonly points: BranchPoint[] = [];

  constructor(private readonly overrides: ReadonlyMap<string, number> = new Map()) {}

  /** A statistic rule matches on the representative path unless an alternative asks otherwise. */
  statistic(rule: Rule): boolean {
    return (this.overrides.get(statisticId(rule)) ?? 0) === 0;
  }

  seen(rule: Rule): void {
    const id = statisticId(rule);
    if (this.points.some((p) => p.id === id)) return;
    const where = `${rule.evidence.file}:${rule.evidence.line ?? rule.evidence.pointer ?? ''}`;
    this.points.push({ id, options: 2, labels: [`statistic rule ${where} taken`, `statistic rule ${where} not taken`] });
  }

  /** A proxy choosing among `labels.length` endpoints: the index to take. */
  pick(id: string, labels: string[]): number {
    if (labels.length > 1 && !this.points.some((p) => p.id === id)) this.points.push({ id, options: labels.length, labels });
    const i = this.overrides.get(id) ?? 0;
    return i < labels.length ? i : 0;
  }
}

function statisticId(rule: Rule): string {
  return `statistic:${rule.chain}#${rule.index}`;
}
