/** Test helpers: real archive tools (zip, unzip, 7zz, python's zipfile) run as child processes. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const { stdout } = await execFileAsync(cmd, args, {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
  });
  return stdout;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'openimm-'));
}

/** Runs a python3 script with argv; returns its stdout. */
export async function python(script: string, args: string[] = []): Promise<string> {
  return run('python3', ['-c', script, ...args]);
}

export interface PyZipEntry {
  name: string;
  flagBits: number;
  size: number;
  compressType: number;
  isDir: boolean;
}

/** Entries as Python's zipfile reads them (an independent reader). */
export async function pyZipEntries(zipPath: string): Promise<PyZipEntry[]> {
  const out = await python(
    `import zipfile,sys,json
z=zipfile.ZipFile(sys.argv[1])
print(json.dumps([dict(name=i.filename,flagBits=i.flag_bits,size=i.file_size,compressType=i.compress_type,isDir=i.is_dir()) for i in z.infolist()]))
assert z.testzip() is None`,
    [zipPath],
  );
  return JSON.parse(out) as PyZipEntry[];
}

/** Every file under `dir` as relative path → contents. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (rel: string) => {
    for (const name of await readdir(path.join(dir, rel))) {
      const child = rel ? `${rel}/${name}` : name;
      const st = await stat(path.join(dir, child));
      if (st.isDirectory()) await walk(child);
      else out.set(child, await readFile(path.join(dir, child)));
    }
  };
  await walk('');
  return out;
}

/**
 * Puts an object straight into the fs backend's folder (`<dataDir>/oss/<bucket>/<key>`), skipping the
 * per-object fsync of a storage write: fixtures of thousands of objects stay fast.
 */
export async function putFast(
  ts: { dataDir: string; registry: { ensureBucket(b: string): Promise<unknown> } },
  uri: string,
  data: Buffer | string,
): Promise<void> {
  const m = /^oss:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`bad uri ${uri}`);
  await ts.registry.ensureBucket(m[1]!);
  const file = path.join(ts.dataDir, 'oss', m[1]!, m[2]!);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
}
