/**
 * Action and Version of a request: the `x-acs-action` / `x-acs-version` headers first (ACS3 sends only
 * those), then the `Action` / `Version` parameters of the query or form body (RPC v1, pop-core).
 */
import { Errors } from './errors.ts';
import { mergedParams } from './wire-params.ts';
import { headerValue, type WireRequest } from './wire-request.ts';

export const API_VERSION = '2020-09-30';
const ACTION_NAME = /^[A-Za-z][A-Za-z0-9]{0,127}$/;

export function extractActionAndVersion(req: WireRequest): { action: string; version: string } {
  let action = headerValue(req, 'x-acs-action')?.trim();
  let version = headerValue(req, 'x-acs-version')?.trim();
  if (!action || !version) {
    const params = mergedParams(req);
    action ||= params.get('Action');
    version ||= params.get('Version');
  }
  return checkActionAndVersion(action, version);
}

export function checkActionAndVersion(
  action: string | undefined,
  version: string | undefined,
): { action: string; version: string } {
  if (!action) throw Errors.missingParameter('Action');
  if (!ACTION_NAME.test(action)) throw Errors.actionNotFound(action.slice(0, 128));
  if (!version) throw Errors.missingParameter('Version');
  if (version !== API_VERSION) throw Errors.invalidVersion(version.slice(0, 64));
  return { action, version };
}
