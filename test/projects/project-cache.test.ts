import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectCache } from '../../src/projects/project-cache.ts';
import { makePgliteDb, type TestDb } from '../helpers/db.ts';

describe('createProjectCache', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await makePgliteDb();
    await t.db.query(`INSERT INTO accounts (id) VALUES ('1001')`);
  });
  afterAll(() => t.drop());

  const insert = (name: string, role: string) =>
    t.db.query(`INSERT INTO projects (account_id, name, service_role) VALUES ('1001', $1, $2)`, [name, role]);
  const setRole = (name: string, role: string) =>
    t.db.query(`UPDATE projects SET service_role = $2 WHERE account_id = '1001' AND name = $1`, [name, role]);

  it('answers from memory within its lifetime and reads the database again after it', async () => {
    await insert('p1', 'RoleA');
    const cache = createProjectCache(t.db, 150);
    expect((await cache.get('1001', 'p1'))?.serviceRole).toBe('RoleA');
    await setRole('p1', 'RoleB');
    expect((await cache.get('1001', 'p1'))?.serviceRole).toBe('RoleA');
    await new Promise((r) => setTimeout(r, 200));
    expect((await cache.get('1001', 'p1'))?.serviceRole).toBe('RoleB');
  });

  it('reads the database again at once after forget', async () => {
    await insert('p2', 'RoleA');
    const cache = createProjectCache(t.db, 60_000);
    expect((await cache.get('1001', 'p2'))?.serviceRole).toBe('RoleA');
    await setRole('p2', 'RoleB');
    cache.forget('1001', 'p2');
    expect((await cache.get('1001', 'p2'))?.serviceRole).toBe('RoleB');
  });

  it('does not remember an unknown project: one created later is found at once', async () => {
    const cache = createProjectCache(t.db, 60_000);
    expect(await cache.get('1001', 'p3')).toBeNull();
    await insert('p3', 'RoleA');
    expect((await cache.get('1001', 'p3'))?.name).toBe('p3');
  });
});
