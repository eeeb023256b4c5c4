/**
 * Where a newest-first list resumes: the sort key of the last row of the previous page, its
 * timestamp and its id (the id breaks ties between rows of the same instant).
 */
export interface KeysetPosition {
  at: Date;
  id: string;
}

/** What a list function is asked for: at most `first` rows after `after` (null: from the newest). */
export interface KeysetPage {
  first: number;
  after: KeysetPosition | null;
}

/** What a list function answers: the page's rows, whether more follow, and the count of all pages. */
export interface KeysetRows<Row> {
  rows: Row[];
  hasNextPage: boolean;
  totalCount: number;
}
