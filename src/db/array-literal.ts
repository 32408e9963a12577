/**
 * PostgreSQL array literals built in one join. node-postgres turns a JS array parameter into a literal by
 * quoting and concatenating element by element; for the finish's five arrays of a few hundred elements that
 * was about a kilobyte of garbage per task in the drain's allocation profile. Elements made only of
 * characters that need no quoting (task ids, state names, Codes, numbers) go in as they are.
 */
const PLAIN = /^[A-Za-z0-9_.:+-]+$/;

function element(value: string): string {
  if (value === '') return '""';
  // NULL unquoted would be the SQL null (compared without making an upper-case copy of every element).
  if (PLAIN.test(value) && (value.length !== 4 || value.toUpperCase() !== 'NULL')) return value;
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** `{a,b,"c d"}` for `$n::text[]`. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map(element).join(',')}}`;
}

/** `{1,2.5}` for `$n::float8[]` (finite numbers only). */
export function numberArrayLiteral(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}
