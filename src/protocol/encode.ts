/**
 * Alibaba Cloud's percent-encoding (RFC 3986): `encodeURIComponent` plus `!'()*`, which it leaves
 * alone. Space becomes `%20`, `~` stays literal. Both signature schemes use it for canonical strings.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
