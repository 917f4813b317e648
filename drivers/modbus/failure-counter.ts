/**
 * Consecutive failed reads per poll group (docs/protocols/modbus.md, "Errors"). Counting per
 * group means a group that always fails (a wrong register, an exception) is noticed even while
 * another group of the same device reads fine. A success of a group resets its count.
 */
export interface GroupFailures {
  readonly groupId: string;
  readonly count: number;
  readonly lastError: string;
}

export class FailureCounter {
  private readonly groups = new Map<string, GroupFailures>();

  constructor(private readonly threshold: number) {}

  /** Forgets every count (after a silence, counting starts afresh). */
  clear(): void {
    this.groups.clear();
  }

  success(groupId: string): void {
    this.groups.delete(groupId);
  }

  failure(groupId: string, error: string): GroupFailures {
    const failures = { groupId, count: (this.groups.get(groupId)?.count ?? 0) + 1, lastError: error };
    this.groups.set(groupId, failures);
    return failures;
  }

  /** The group with the most consecutive failures, when it reached the threshold; else null. */
  overThreshold(): GroupFailures | null {
    let worst: GroupFailures | null = null;
    for (const g of this.groups.values()) if (g.count >= this.threshold && (!worst || g.count > worst.count)) worst = g;
    return worst;
  }
}
