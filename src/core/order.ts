// Ordering that does not depend on the machine: strings by UTF-16 code units (as canonical JSON sorts keys;
// localeCompare would follow the locale), numbers and bigints by value.

/** Ascending comparator for strings (code-unit order), numbers or bigints. */
export function ascending<T extends string | number | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A record's entries sorted by key (code-unit order). */
export function sortedEntries<V>(record: Readonly<Record<string, V>>): [string, V][] {
  return Object.entries(record).sort(([a], [b]) => ascending(a, b));
}
