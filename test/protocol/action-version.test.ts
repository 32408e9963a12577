import { describe, expect, it } from 'vitest';
import { extractActionAndVersion } from '../../src/protocol/action-version.ts';
import { ImmError } from '../../src/protocol/errors.ts';
import type { WireRequest } from '../../src/protocol/wire-request.ts';

function req(rawQuery: string, headers: WireRequest['headers'] = {}, body = ''): WireRequest {
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  return { method: 'POST', path: '/', rawQuery, headers, body: Buffer.from(body) };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImmError) return err.code;
    throw err;
  }
  return 'none';
}

describe('extractActionAndVersion', () => {
  it('prefers the x-acs-action / x-acs-version headers', () => {
    const r = req('Action=ListTasks&Version=2020-09-30', {
      'x-acs-action': 'GetTask',
      'x-acs-version': '2020-09-30',
    });
    expect(extractActionAndVersion(r)).toEqual({ action: 'GetTask', version: '2020-09-30' });
  });

  it('falls back to the query, then the form body', () => {
    expect(extractActionAndVersion(req('Action=ListTasks&Version=2020-09-30'))).toEqual({
      action: 'ListTasks',
      version: '2020-09-30',
    });
    expect(extractActionAndVersion(req('', {}, 'Action=GetTask&Version=2020-09-30')).action).toBe('GetTask');
    expect(extractActionAndVersion(req('Version=2020-09-30', { 'x-acs-action': 'GetTask' })).action).toBe(
      'GetTask',
    );
  });

  it('reports a missing Action or Version as MissingParameter', () => {
    expect(code(() => extractActionAndVersion(req('Version=2020-09-30')))).toBe('MissingParameter');
    expect(code(() => extractActionAndVersion(req('Action=GetTask')))).toBe('MissingParameter');
  });

  it('refuses other API versions with InvalidVersion', () => {
    expect(code(() => extractActionAndVersion(req('Action=GetTask&Version=2017-09-06')))).toBe(
      'InvalidVersion',
    );
  });

  it('refuses an action name that cannot exist with InvalidAction.NotFound', () => {
    expect(code(() => extractActionAndVersion(req('Action=..%2Fetc&Version=2020-09-30')))).toBe(
      'InvalidAction.NotFound',
    );
  });
});
