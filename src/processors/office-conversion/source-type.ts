/**
 * Source document types (spec 9.7 `SourceType`, plus OpenDocument, RTF and TXT): the family decides
 * how outputs are named (pages or sheets) and which LibreOffice import hints apply.
 */
export type SourceFamily = 'text' | 'spreadsheet' | 'presentation' | 'pdf';

const FAMILIES: Record<SourceFamily, readonly string[]> = {
  text: ['doc', 'docx', 'wps', 'wpss', 'docm', 'dotm', 'dot', 'dotx', 'odt', 'ott', 'fodt', 'rtf', 'txt'],
  presentation: [
    'pptx',
    'ppt',
    'pot',
    'potx',
    'pps',
    'ppsx',
    'dps',
    'dpt',
    'pptm',
    'potm',
    'ppsm',
    'dpss',
    'odp',
    'otp',
    'fodp',
  ],
  spreadsheet: [
    'xls',
    'xlt',
    'et',
    'ett',
    'xlsx',
    'xltx',
    'csv',
    'xlsb',
    'xlsm',
    'xltm',
    'ets',
    'ods',
    'ots',
    'fods',
  ],
  pdf: ['pdf'],
};

export const SOURCE_TYPES = Object.values(FAMILIES).flat() as [string, ...string[]];

const BY_TYPE = new Map<string, SourceFamily>(
  Object.entries(FAMILIES).flatMap(([family, types]) => types.map((t) => [t, family as SourceFamily])),
);

export function familyOf(sourceType: string): SourceFamily | undefined {
  return BY_TYPE.get(sourceType.toLowerCase());
}

/** The type named by the object key's extension, when it is one we know. */
export function sourceTypeFromKey(key: string): string | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const ext = name.slice(dot + 1).toLowerCase();
  return BY_TYPE.has(ext) ? ext : undefined;
}

export interface ImportHints {
  importFilter?: string;
  importOptions?: string;
  allowTextImport?: boolean;
}

/** Text and CSV have no signature in their bytes: tell LibreOffice how to read them (UTF-8). */
export function importHints(sourceType: string): ImportHints {
  switch (sourceType) {
    case 'csv':
      // Comma separated, double-quoted, UTF-8 (76), from line 1.
      return {
        importFilter: 'Text - txt - csv (StarCalc)',
        importOptions: '44,34,76,1',
        allowTextImport: true,
      };
    case 'txt':
      return { importFilter: 'Text (encoded)', importOptions: 'UTF8', allowTextImport: true };
    default:
      return {};
  }
}
