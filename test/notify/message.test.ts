import { describe, expect, it } from 'vitest';
import { buildContent, buildEnvelope, formatImmTime } from '../../src/notify/message.ts';

describe('formatImmTime', () => {
  it('trims trailing zeros of the fraction like IMM (Go RFC 3339 nano)', () => {
    expect(formatImmTime(new Date('2024-08-20T07:03:07.360Z'))).toBe('2024-08-20T07:03:07.36Z');
    expect(formatImmTime(new Date('2024-08-20T05:08:28.582Z'))).toBe('2024-08-20T05:08:28.582Z');
    expect(formatImmTime(new Date('2024-08-20T05:08:28.500Z'))).toBe('2024-08-20T05:08:28.5Z');
    expect(formatImmTime(new Date('2024-08-20T05:08:28.000Z'))).toBe('2024-08-20T05:08:28Z');
  });
});

const common = {
  projectName: 'demo-proj',
  requestId: '0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D',
  startTime: new Date('2025-03-01T02:10:04.500Z'),
  endTime: new Date('2025-03-01T02:10:09.125Z'),
  userData: 'job-17',
  taskType: 'MediaConvert',
  taskId: 'MediaConvert-5f0c2d9e-1b7a-4c3e-9d21-7a8b6c5d4e3f',
  status: 'Succeeded' as const,
  code: '',
  message: '',
};

const mediaConvertPerTask = {
  Sources: [{ URI: 'oss://media-in/clips/intro.mov', SubtitleSources: null }],
  Targets: [
    {
      URI: 'oss://media-out/clips/intro.mp4',
      Subtitle: { Extract: { URI: '' } },
      Image: { Sprites: null, Snapshots: null, Animations: null },
    },
    {
      URI: '',
      Subtitle: { Extract: { URI: '' } },
      Image: {
        Sprites: null,
        Snapshots: [{ URI: 'oss://media-out/clips/intro-cover.jpg' }],
        Animations: null,
      },
    },
  ],
};

// Spec 8.5, byte for byte.
const SPEC_CONTENT =
  '{"ProjectName":"demo-proj","DatasetName":"","RequestId":"0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D",' +
  '"StartTime":"2025-03-01T02:10:04.5Z","EndTime":"2025-03-01T02:10:09.125Z","UserData":"job-17",' +
  '"TaskType":"MediaConvert","TaskId":"MediaConvert-5f0c2d9e-1b7a-4c3e-9d21-7a8b6c5d4e3f",' +
  '"Status":"Succeeded","Code":"","Message":"","EventSourceId":"",' +
  '"Sources":[{"URI":"oss://media-in/clips/intro.mov","SubtitleSources":null}],' +
  '"Targets":[{"URI":"oss://media-out/clips/intro.mp4","Subtitle":{"Extract":{"URI":""}},' +
  '"Image":{"Sprites":null,"Snapshots":null,"Animations":null}},' +
  '{"URI":"","Subtitle":{"Extract":{"URI":""}},' +
  '"Image":{"Sprites":null,"Snapshots":[{"URI":"oss://media-out/clips/intro-cover.jpg"}],"Animations":null}}]}';

describe('buildContent', () => {
  it('reproduces the documented MediaConvert content exactly, key order included', () => {
    expect(JSON.stringify(buildContent(common, mediaConvertPerTask))).toBe(SPEC_CONTENT);
  });

  it('reproduces the documented FileUncompression failure shape', () => {
    const content = buildContent(
      {
        ...common,
        requestId: '7E6D5C4B-3A29-4180-9F7E-6D5C4B3A2918',
        startTime: new Date('2025-03-01T03:00:00.010Z'),
        endTime: new Date('2025-03-01T03:00:02.400Z'),
        userData: '',
        taskType: 'FileUncompression',
        taskId: 'FileUncompression-0d9c8b7a-6f5e-4d3c-8b2a-19f8e7d6c5b4',
        status: 'Failed',
        code: 'InvalidArgument',
        message: 'wrong or missing password for the archive',
      },
      {
        SourceURI: 'oss://inbox/upload/bundle.zip',
        TargetURI: 'oss://inbox/upload/bundle/',
        SelectedFiles: null,
      },
    );
    expect(JSON.stringify(content)).toBe(
      '{"ProjectName":"demo-proj","DatasetName":"","RequestId":"7E6D5C4B-3A29-4180-9F7E-6D5C4B3A2918",' +
        '"StartTime":"2025-03-01T03:00:00.01Z","EndTime":"2025-03-01T03:00:02.4Z","UserData":"",' +
        '"TaskType":"FileUncompression","TaskId":"FileUncompression-0d9c8b7a-6f5e-4d3c-8b2a-19f8e7d6c5b4",' +
        '"Status":"Failed","Code":"InvalidArgument","Message":"wrong or missing password for the archive",' +
        '"EventSourceId":"","SourceURI":"oss://inbox/upload/bundle.zip","TargetURI":"oss://inbox/upload/bundle/",' +
        '"SelectedFiles":null}',
    );
  });

  it('never lets per-task fields overwrite the common ones, and drops undefined', () => {
    const content = buildContent(common, {
      Status: 'Hacked',
      TaskId: 'x',
      Extra: undefined,
      TargetURI: 'oss://b/k',
    });
    expect(content.Status).toBe('Succeeded');
    expect(content.TaskId).toBe(common.taskId);
    expect('Extra' in content).toBe(false);
    expect(Object.keys(content).at(-1)).toBe('TargetURI');
  });
});

describe('buildEnvelope', () => {
  it('builds the envelope of spec 8.2 with content double-encoded and time as a string of ms', () => {
    const content = buildContent(common, mediaConvertPerTask);
    const body = buildEnvelope(
      {
        eventId: '3C1-1Bz8z71k5TtsUejT4UJ16Esxxxx',
        eventName: 'MediaConvert',
        region: 'cn-hangzhou',
        accountId: '1234567890',
        projectName: 'demo-proj',
        timeMs: 1740795009130,
      },
      content,
    );
    expect(body).toBe(
      `{"id":"3C1-1Bz8z71k5TtsUejT4UJ16Esxxxx","source":"acs.imm","type":"imm:Task:MediaConvert",` +
        `"subject":"acs:imm:cn-hangzhou:1234567890:demo-proj/imm:Task:MediaConvert","time":"1740795009130",` +
        `"content":${JSON.stringify(SPEC_CONTENT)}}`,
    );
    const parsed = JSON.parse(body);
    expect(typeof parsed.content).toBe('string');
    expect(JSON.parse(parsed.content)).toEqual(content);
  });

  it('uses the event name, not the task type, in type and subject', () => {
    const body = JSON.parse(
      buildEnvelope(
        {
          eventId: 'e',
          eventName: 'PointCloudCompression',
          region: 'r',
          accountId: 'a',
          projectName: 'p',
          timeMs: 1.9,
        },
        {},
      ),
    );
    expect(body.type).toBe('imm:Task:PointCloudCompression');
    expect(body.subject).toBe('acs:imm:r:a:p/imm:Task:PointCloudCompression');
    expect(body.time).toBe('1');
  });
});
