/**
 * IMM's notification message (spec 8.2, 8.3): a CloudEvents-like envelope whose `content` is the task's
 * fields serialised as a JSON string. Field names, key order and value formats follow IMM's documented
 * examples; the body is built once, when the outcome commits, so every redelivery is byte-identical.
 */

export interface ContentCommon {
  projectName: string;
  requestId: string;
  startTime: Date;
  endTime: Date;
  userData: string;
  taskType: string;
  taskId: string;
  status: 'Succeeded' | 'Failed';
  code: string;
  message: string;
}

export interface EnvelopeFields {
  /** The task's EventId: the stable message id. */
  eventId: string;
  /** The event name after `imm:Task:` (e.g. `PointCloudCompression` for `PointCloudCompress`). */
  eventName: string;
  region: string;
  accountId: string;
  projectName: string;
  /** When the outcome was committed, epoch milliseconds. */
  timeMs: number;
}

const COMMON_KEYS = new Set([
  'ProjectName',
  'DatasetName',
  'RequestId',
  'StartTime',
  'EndTime',
  'UserData',
  'TaskType',
  'TaskId',
  'Status',
  'Code',
  'Message',
  'EventSourceId',
]);

/**
 * UTC with a trailing `Z` and the fraction trimmed of trailing zeros, as IMM's (Go RFC 3339 "nano")
 * messages show it: `2024-08-20T07:03:07.36Z`; a whole second has no fraction.
 */
export function formatImmTime(d: Date): string {
  const iso = d.toISOString(); // 2024-08-20T07:03:07.360Z
  const [whole, frac = ''] = iso.slice(0, -1).split('.');
  const trimmed = frac.replace(/0+$/, '');
  return trimmed ? `${whole}.${trimmed}Z` : `${whole}Z`;
}

/**
 * The decoded `content`: the common fields in IMM's order, then the processor's per-task fields (spec
 * 8.3.1) in theirs. Per-task keys that would overwrite a common field are ignored.
 */
export function buildContent(
  common: ContentCommon,
  perTask: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const content: Record<string, unknown> = {
    ProjectName: common.projectName,
    DatasetName: '',
    RequestId: common.requestId,
    StartTime: formatImmTime(common.startTime),
    EndTime: formatImmTime(common.endTime),
    UserData: common.userData ?? '',
    TaskType: common.taskType,
    TaskId: common.taskId,
    Status: common.status,
    Code: common.code ?? '',
    Message: common.message ?? '',
    EventSourceId: '',
  };
  for (const [key, value] of Object.entries(perTask ?? {})) {
    if (!COMMON_KEYS.has(key) && value !== undefined) content[key] = value;
  }
  return content;
}

/** The exact message body sent to every sink. */
export function buildEnvelope(e: EnvelopeFields, content: Record<string, unknown>): string {
  const type = `imm:Task:${e.eventName}`;
  return JSON.stringify({
    id: e.eventId,
    source: 'acs.imm',
    type,
    subject: `acs:imm:${e.region}:${e.accountId}:${e.projectName}/${type}`,
    time: String(Math.trunc(e.timeMs)),
    content: JSON.stringify(content),
  });
}
