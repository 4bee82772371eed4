/** One page of a list: how many items, from which position. */
export interface Page {
  limit: number;
  offset: number;
}

/** A page of items with the total the filters match, so a client can page on. */
export interface Paged<T> extends Page {
  items: T[];
  total: number;
}

export const paged = <T>(items: T[], total: number, page: Page): Paged<T> => ({
  items,
  total,
  limit: page.limit,
  offset: page.offset,
});
