/**
 * Zip entry names are bytes: UTF-8 when general-purpose bit 11 is set or an Info-ZIP Unicode Path field
 * (0x7075) vouches for them, otherwise "the OEM code page" of whoever made the archive. Real archives
 * from Chinese Windows are GBK (CP936), from western DOS/Windows CP437, and from macOS or Linux UTF-8 without
 * the flag. The choice is made once per archive: UTF-8 if every unflagged name is valid UTF-8, else GBK if
 * every one is valid GBK, else CP437 (which decodes any byte).
 */
import iconv from 'iconv-lite';
import yauzl from 'yauzl';

export type NameEncoding = 'utf8' | 'gbk' | 'cp437';

export interface RawName {
  bytes: Buffer;
  flags: number;
  extraFields: Array<{ id: number; data: Buffer }>;
}

const UTF8_FLAG = 0x800;
const UNICODE_PATH_FIELD = 0x7075;

/** True when the name is vouched for as UTF-8 by the flag or a valid Unicode Path field. */
export function isDeclaredUtf8(name: RawName): boolean {
  return (name.flags & UTF8_FLAG) !== 0 || name.extraFields.some((f) => f.id === UNICODE_PATH_FIELD);
}

function isAscii(bytes: Buffer): boolean {
  for (const b of bytes) if (b >= 0x80) return false;
  return true;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Buffer): boolean {
  try {
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Double-byte GBK: lead 0x81–0xFE, trail 0x40–0x7E or 0x80–0xFE; ASCII single bytes. */
function isValidGbk(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    if (b === 0x80 || b === 0xff) return false;
    const t = bytes[i + 1];
    if (t === undefined || t < 0x40 || t === 0x7f || t === 0xff) return false;
    i++;
  }
  return true;
}

/** Picks the encoding of the names that do not declare UTF-8. */
export function detectNameEncoding(names: RawName[]): NameEncoding {
  const undeclared = names.filter((n) => !isDeclaredUtf8(n) && !isAscii(n.bytes)).map((n) => n.bytes);
  if (undeclared.every(isValidUtf8)) return 'utf8';
  if (undeclared.every(isValidGbk)) return 'gbk';
  return 'cp437';
}

/** Decodes one name; declared UTF-8 (flag or Unicode Path field) always wins over the archive's guess. */
export function decodeName(name: RawName, encoding: NameEncoding): string {
  if (isDeclaredUtf8(name)) {
    // yauzl checks the Unicode Path field's CRC against the raw name before trusting it.
    return yauzl.getFileNameLowLevel(name.flags, name.bytes, name.extraFields, true);
  }
  if (isAscii(name.bytes) || encoding === 'utf8') return name.bytes.toString('utf8');
  return iconv.decode(name.bytes, encoding);
}
