/**
 * Round-robin over an upstream's replicas. `next(exclude)` skips the replica that just failed, so
 * a retried GET lands elsewhere when there is anywhere else.
 */
export class RoundRobin<T> {
  private cursor = 0;

  constructor(private readonly items: readonly T[]) {
    if (items.length === 0) throw new Error('an upstream needs at least one URL');
  }

  next(exclude?: T): T {
    for (let i = 0; i < this.items.length; i++) {
      const item = this.items[this.cursor++ % this.items.length] as T;
      if (item !== exclude || this.items.length === 1) return item;
    }
    return this.items[0] as T;
  }
}
