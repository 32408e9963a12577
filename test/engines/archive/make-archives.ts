/**
 * Archives made by the tests with real tools: Python's zipfile (which writes any name and any header we
 * ask for), `7zz`, and hand-built zip records for the shapes no tool writes (overlapping entries, lying
 * sizes, a 10 GB bomb).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { python, run } from './archive-tools.ts';

const HOSTILE_ZIPS = String.raw`
import sys, os, zipfile, zlib, struct, random
out = sys.argv[1]
def z(name, entries, **kw):
    with zipfile.ZipFile(os.path.join(out, name), 'w', zipfile.ZIP_DEFLATED) as f:
        for e in entries:
            if isinstance(e, zipfile.ZipInfo):
                f.writestr(e, b'x' * 10)
            else:
                f.writestr(e[0], e[1])

z('traversal.zip', [('ok.txt', b'ok'), ('../evil.txt', b'evil')])
z('traversal-nested.zip', [('ok.txt', b'ok'), ('a/../../evil.txt', b'evil')])
z('absolute.zip', [('/tmp/openimm-evil-absolute.txt', b'evil')])
z('drive.zip', [('C:/evil.txt', b'evil')])
z('backslash.zip', [('..\\..\\evil.txt', b'evil')])
z('control.zip', [('bad\x01name.txt', b'x')])
link = zipfile.ZipInfo('link')
link.create_system = 3
link.external_attr = (0o120777 << 16)
with zipfile.ZipFile(os.path.join(out, 'symlink.zip'), 'w') as f:
    f.writestr('ok.txt', b'ok')
    f.writestr(link, b'/etc/passwd')
import warnings
warnings.simplefilter('ignore')
z('duplicate.zip', [('a.txt', b'one'), ('a.txt', b'two')])
z('clash.zip', [('a', b'file'), ('a/b.txt', b'child')])
z('many.zip', [('f%02d.txt' % i, b'x') for i in range(50)])
z('ratio.zip', [('zeros.bin', b'\0' * (20 * 1024 * 1024))])

# a zip holding zips: only the outer level is ever expanded
inner = os.path.join(out, 'inner.zip')
z('inner.zip', [('zeros.bin', b'\0' * (1024 * 1024))])
with zipfile.ZipFile(os.path.join(out, 'nested.zip'), 'w') as f:
    for i in range(3):
        f.write(inner, 'level1/inner%d.zip' % i)
os.remove(inner)

# good zip cut short, and a stored entry with one flipped byte (CRC mismatch)
z('good.zip', [('a.txt', b'hello ' * 1000), ('b.txt', b'world ' * 1000)])
data = open(os.path.join(out, 'good.zip'), 'rb').read()
open(os.path.join(out, 'truncated.zip'), 'wb').write(data[: len(data) // 2])
os.remove(os.path.join(out, 'good.zip'))
with zipfile.ZipFile(os.path.join(out, 'crc.zip'), 'w', zipfile.ZIP_STORED) as f:
    f.writestr('ok.txt', b'fine')
    f.writestr('bad.txt', b'A' * 100)
data = bytearray(open(os.path.join(out, 'crc.zip'), 'rb').read())
at = data.find(b'A' * 100)
data[at + 50] = ord('B')
open(os.path.join(out, 'crc.zip'), 'wb').write(bytes(data))
random.seed(7)
open(os.path.join(out, 'notzip.zip'), 'wb').write(bytes(random.getrandbits(8) for _ in range(4096)))

def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()

def raw_zip(path, records, datas):
    """records: (name, method, crc, csize, usize, offset_index); datas: list of local-entry payloads."""
    body = b''
    offsets = []
    for name, method, crc, csize, usize, payload in datas:
        offsets.append(len(body))
        n = name.encode()
        body += struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, method, 0, 0x21, crc, csize, usize, len(n), 0) + n + payload
    cd = b''
    for name, method, crc, csize, usize, idx, extra in records:
        n = name.encode()
        cd += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, method, 0, 0x21, crc, csize, usize, len(n), len(extra), 0, 0, 0, 0, offsets[idx]) + n + extra
    eocd = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(records), len(records), len(cd), len(body), 0)
    open(path, 'wb').write(body + cd + eocd)

# flat bomb: ten directory records pointing at one compressed kernel
kernel = b'\0' * (10 * 1024 * 1024)
k = deflate(kernel)
kc = zlib.crc32(kernel)
raw_zip(os.path.join(out, 'overlap.zip'),
        [('f%d.bin' % i, 8, kc, len(k), len(kernel), 0, b'') for i in range(10)],
        [('f0.bin', 8, kc, len(k), len(kernel), k)])
# sizes that lie: declared 1,000 bytes, inflates to 10 MiB
raw_zip(os.path.join(out, 'lying.zip'),
        [('small.bin', 8, 0, len(k), 1000, 0, b'')],
        [('small.bin', 8, 0, len(k), 1000, k)])
# the same two lies in large entries (past the whole-entry size, extracted file to file): a stored
# entry with one flipped byte, and a deflated one that holds 3 MiB where it declares 2 MiB
with zipfile.ZipFile(os.path.join(out, 'crc-large.zip'), 'w', zipfile.ZIP_STORED) as f:
    f.writestr('ok.txt', b'fine')
    f.writestr('bad.bin', b'A' * (2 * 1024 * 1024))
data = bytearray(open(os.path.join(out, 'crc-large.zip'), 'rb').read())
data[data.find(b'A' * 1024) + 1024 * 1024] = ord('B')
open(os.path.join(out, 'crc-large.zip'), 'wb').write(bytes(data))
random.seed(11)
noise = bytes(random.getrandbits(8) for _ in range(3 * 1024 * 1024))
n = deflate(noise)
nc = zlib.crc32(noise)
raw_zip(os.path.join(out, 'lying-large.zip'),
        [('big.bin', 8, nc, len(n), 2 * 1024 * 1024, 0, b'')],
        [('big.bin', 8, nc, len(n), 2 * 1024 * 1024, n)])
if len(sys.argv) < 3 or sys.argv[2] != 'bomb':
    sys.exit(0)
# a real 10 GB bomb: one deflate stream of 10 GiB of zeros (identical full-flush blocks), Zip64 sizes
c = zlib.compressobj(9, zlib.DEFLATED, -15)
chunk = b'\0' * (64 * 1024 * 1024)
block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
assert again == block or len(again) > 0
reps = 160
stream = block + again * (reps - 1) + c.flush()
usize = len(chunk) * reps
z64 = struct.pack('<HHQQ', 1, 16, usize, len(stream))
raw_zip(os.path.join(out, 'bomb-10g.zip'),
        [('zeros.bin', 8, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0, z64)],
        [('zeros.bin', 8, 0, 0xFFFFFFFF, 0xFFFFFFFF, stream)])
`;

/** Writes the hostile zip corpus into `dir` (file names as in the script above); the 10 GB bomb on request. */
export async function makeHostileZips(dir: string, opts: { bomb?: boolean } = {}): Promise<void> {
  await python(HOSTILE_ZIPS, opts.bomb ? [dir, 'bomb'] : [dir]);
}

const ENCODED_NAMES = `
import sys, os, zipfile
out = sys.argv[1]
class Raw(zipfile.ZipInfo):
    raw = b''
    def _encodeFilenameFlags(self):
        return self.raw, self.flag_bits & ~0x800
def write(path, names, encoding):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as f:
        for name, data in names:
            info = Raw(name)
            info.raw = name.encode(encoding)
            info.compress_type = zipfile.ZIP_DEFLATED
            f.writestr(info, data)
write(os.path.join(out, 'gbk.zip'), [('中文目录/报告.txt', b'gbk one'), ('数据.csv', b'gbk two')], 'gbk')
write(os.path.join(out, 'cp437.zip'), [('café/résumé.txt', b'cp437 one')], 'cp437')
with zipfile.ZipFile(os.path.join(out, 'zip64.zip'), 'w', zipfile.ZIP_DEFLATED) as f:
    for i in range(3):
        with f.open('big%d.txt' % i, 'w', force_zip64=True) as w:
            w.write(b'zip64 entry %d ' % i * 1000)
with zipfile.ZipFile(os.path.join(out, 'utf8.zip'), 'w', zipfile.ZIP_DEFLATED) as f:
    f.writestr('目录/ファイル.txt', b'utf8 flagged')
`;

/** GBK, CP437 and UTF-8 named zips and a Zip64 one, into `dir`. */
export async function makeEncodedZips(dir: string): Promise<void> {
  await python(ENCODED_NAMES, [dir]);
}

/** `7zz a` of a folder's content into `archive` (extra switches e.g. `-pPW`, `-mhe=on`, `-snl`, `-tzip`). */
export async function sevenZip(archive: string, sourceDir: string, switches: string[] = []): Promise<void> {
  await run('7zz', ['a', '-bd', ...switches, archive, '.'], sourceDir);
}

/** A small tree of files for archives: returns relative path → content. */
export async function writeTree(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  for (const [rel, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), data);
  }
}
