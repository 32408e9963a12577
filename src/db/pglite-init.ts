/**
 * Creates a new embedded database folder in a short-lived child process. PGlite's initdb runs a second
 * WebAssembly PostgreSQL beside the first and leaves the process holding ~700 MiB until much later garbage
 * collections; done in a child, the server opens an existing folder and starts near its steady size.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';

/** True when `dataDir` already holds a database (PostgreSQL writes PG_VERSION when it creates one). */
export async function pgliteDatabaseExists(dataDir: string): Promise<boolean> {
  return access(path.join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

export function initPgliteInChild(dataDir: string, postgresqlconf: string[]): Promise<void> {
  const script = `const { PGlite } = await import(${JSON.stringify(import.meta.resolve('@electric-sql/pglite'))});
const [dir, conf] = process.argv.slice(1);
const pg = await PGlite.create(dir, { postgresqlconf: JSON.parse(conf) });
await pg.close();`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, dataDir, JSON.stringify(postgresqlconf)],
      { timeout: 300_000 },
      (err, _stdout, stderr) => {
        if (err)
          reject(new Error(`creating the embedded database in ${dataDir} failed: ${stderr || err.message}`));
        else resolve();
      },
    );
  });
}
