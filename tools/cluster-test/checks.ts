/** The verdicts of a run: every claim the report makes is one check, and any failed check fails the run. */
export interface Check {
  phase: string;
  name: string;
  ok: boolean;
  detail: string;
}

export class Checks {
  readonly list: Check[] = [];

  constructor(private readonly onCheck: (c: Check) => void = () => undefined) {}

  add(phase: string, name: string, ok: boolean, detail: string | number | object = ''): boolean {
    const c = { phase, name, ok, detail: typeof detail === 'string' ? detail : JSON.stringify(detail) };
    this.list.push(c);
    this.onCheck(c);
    return ok;
  }

  /** `actual` equals `expected` (both shown). */
  equal(phase: string, name: string, actual: unknown, expected: unknown): boolean {
    return this.add(phase, name, JSON.stringify(actual) === JSON.stringify(expected), `${JSON.stringify(actual)} (expected ${JSON.stringify(expected)})`);
  }

  get failed(): Check[] {
    return this.list.filter((c) => !c.ok);
  }
}
