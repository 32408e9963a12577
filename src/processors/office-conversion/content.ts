/** The per-task notification fields of OfficeConversion (spec 8.3.1), in key order. */
import type { OfficeConversionParams } from './params.ts';

/** The notification lists at most this many targets; the ExtendedMessageURI file has them all. */
export const MAX_CONTENT_TARGETS = 1000;

export function officeConversionContent(
  p: OfficeConversionParams,
  targets: string[] | null,
  pageCount?: number,
): Record<string, unknown> {
  const content: Record<string, unknown> = {
    SourceURI: p.SourceURI ?? '',
    TargetType: p.TargetType,
    TargetURI: p.TargetURI ?? '',
    TargetURIPrefix: p.TargetURIPrefix ?? '',
    Targets: targets === null ? null : targets.slice(0, MAX_CONTENT_TARGETS).map((URI) => ({ URI })),
  };
  if (pageCount !== undefined) content.PageCount = pageCount;
  return content;
}
