import type { Queryable } from '../db/types.ts';

export interface ProjectTag {
  Key: string;
  Value: string;
}

export interface ProjectSettings {
  ProjectQueriesPerSecond: number;
  EngineConcurrency: number;
  ProjectMaxDatasetCount: number;
  DatasetMaxBindCount: number;
  DatasetMaxFileCount: number;
  DatasetMaxEntityCount: number;
  DatasetMaxRelationCount: number;
  DatasetMaxTotalFileSize: number;
}

export const defaultProjectSettings: ProjectSettings = {
  ProjectQueriesPerSecond: 100,
  EngineConcurrency: 100,
  ProjectMaxDatasetCount: 1_000_000_000,
  DatasetMaxBindCount: 10,
  DatasetMaxFileCount: 100_000_000,
  DatasetMaxEntityCount: 10_000_000_000,
  DatasetMaxRelationCount: 100_000_000_000,
  DatasetMaxTotalFileSize: 90_000_000_000_000_000,
};

export interface ProjectRecord {
  accountId: string;
  name: string;
  serviceRole: string;
  description: string;
  templateId: string;
  settings: ProjectSettings;
  tags: ProjectTag[];
  createdAt: Date;
  updatedAt: Date;
}

interface ProjectRow {
  account_id: string;
  name: string;
  service_role: string;
  description: string;
  template_id: string;
  settings: Partial<ProjectSettings>;
  tags: ProjectTag[];
  created_at: Date;
  updated_at: Date;
}

function fromRow(r: ProjectRow): ProjectRecord {
  return {
    accountId: r.account_id,
    name: r.name,
    serviceRole: r.service_role,
    description: r.description,
    templateId: r.template_id,
    settings: { ...defaultProjectSettings, ...r.settings },
    tags: r.tags ?? [],
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export async function getProject(
  db: Queryable,
  accountId: string,
  name: string,
): Promise<ProjectRecord | null> {
  const r = await db.query<ProjectRow>('SELECT * FROM projects WHERE account_id = $1 AND name = $2', [
    accountId,
    name,
  ]);
  return r.rows[0] ? fromRow(r.rows[0]) : null;
}

export async function countProjects(db: Queryable, accountId: string): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM projects WHERE account_id = $1', [
    accountId,
  ]);
  return r.rows[0]?.n ?? 0;
}

/** Inserts a project; returns null when the name is taken. */
export async function insertProject(db: Queryable, p: Omit<ProjectRecord, 'createdAt' | 'updatedAt'>) {
  const r = await db.query<ProjectRow>(
    `INSERT INTO projects (account_id, name, service_role, description, template_id, settings, tags)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING *`,
    [
      p.accountId,
      p.name,
      p.serviceRole,
      p.description,
      p.templateId,
      JSON.stringify(p.settings),
      JSON.stringify(p.tags),
    ],
  );
  return r.rows[0] ? fromRow(r.rows[0]) : null;
}

export async function updateProject(db: Queryable, p: Omit<ProjectRecord, 'createdAt' | 'updatedAt'>) {
  const r = await db.query<ProjectRow>(
    `UPDATE projects SET service_role = $3, description = $4, template_id = $5, settings = $6, tags = $7,
       updated_at = now()
     WHERE account_id = $1 AND name = $2 RETURNING *`,
    [
      p.accountId,
      p.name,
      p.serviceRole,
      p.description,
      p.templateId,
      JSON.stringify(p.settings),
      JSON.stringify(p.tags),
    ],
  );
  return r.rows[0] ? fromRow(r.rows[0]) : null;
}

export async function deleteProject(db: Queryable, accountId: string, name: string): Promise<boolean> {
  const r = await db.query('DELETE FROM projects WHERE account_id = $1 AND name = $2', [accountId, name]);
  return r.affectedRows > 0;
}

export async function countUnfinishedTasks(db: Queryable, accountId: string, name: string): Promise<number> {
  // Waiting tasks have a queue row; running ones are in a lease (0011_claim_takes_queue_row.sql).
  const r = await db.query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM task_queue WHERE account_id = $1 AND project_name = $2)
       + (SELECT count(*) FROM tasks t
          WHERE t.id IN (SELECT unnest(l.task_ids) FROM task_leases l)
            AND t.account_id = $1 AND t.project_name = $2 AND t.state = 'queued'))::int AS n`,
    [accountId, name],
  );
  return r.rows[0]?.n ?? 0;
}

export async function listProjects(
  db: Queryable,
  opts: { accountId: string; prefix?: string; after?: string; limit: number; tags?: ProjectTag[] },
): Promise<ProjectRecord[]> {
  const params: unknown[] = [opts.accountId];
  const where = ['account_id = $1'];
  if (opts.prefix) {
    params.push(`${opts.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`name LIKE $${params.length}`);
  }
  if (opts.after) {
    params.push(opts.after);
    where.push(`name > $${params.length}`);
  }
  if (opts.tags?.length) {
    params.push(JSON.stringify(opts.tags));
    where.push(`tags @> $${params.length}::jsonb`);
  }
  params.push(opts.limit);
  const r = await db.query<ProjectRow>(
    `SELECT * FROM projects WHERE ${where.join(' AND ')} ORDER BY name LIMIT $${params.length}`,
    params,
  );
  return r.rows.map(fromRow);
}

/** The Project object of IMM's responses. */
export function projectToWire(p: ProjectRecord, stats?: { fileCount: number; totalFileSize: number }) {
  return {
    ProjectName: p.name,
    ServiceRole: p.serviceRole,
    Description: p.description,
    TemplateId: p.templateId,
    CreateTime: p.createdAt.toISOString(),
    UpdateTime: p.updatedAt.toISOString(),
    ...p.settings,
    DatasetCount: 0,
    FileCount: stats?.fileCount ?? 0,
    TotalFileSize: stats?.totalFileSize ?? 0,
    Tags: p.tags.map((t) => ({ TagKey: t.Key, TagValue: t.Value })),
  };
}
