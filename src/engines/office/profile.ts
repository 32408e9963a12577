/**
 * One LibreOffice user profile per pool process (two processes sharing a profile would attach to each
 * other). The profile is seeded with settings that make documents inert: macros never run, links to
 * other origins are blocked, and every network fetch goes to a proxy that does not exist.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A closed local port: connections are refused at once, so a document cannot reach the network. */
const DEAD_PROXY_HOST = '127.0.0.1';
const DEAD_PROXY_PORT = 9;

interface Setting {
  path: string;
  name: string;
  type: 'boolean' | 'int' | 'string';
  value: string;
}

const SETTINGS: Setting[] = [
  {
    path: '/org.openoffice.Office.Common/Security/Scripting',
    name: 'MacroSecurityLevel',
    type: 'int',
    value: '3',
  },
  {
    path: '/org.openoffice.Office.Common/Security/Scripting',
    name: 'DisableMacrosExecution',
    type: 'boolean',
    value: 'true',
  },
  {
    path: '/org.openoffice.Office.Common/Security/Scripting',
    name: 'BlockUntrustedRefererLinks',
    type: 'boolean',
    value: 'true',
  },
  // Scratch copies only: lock files would just be litter.
  { path: '/org.openoffice.Office.Common/Misc', name: 'UseLocking', type: 'boolean', value: 'false' },
  {
    path: '/org.openoffice.Office.Common/Misc',
    name: 'UseDocumentSystemFileLocking',
    type: 'boolean',
    value: 'false',
  },
  // Comments shown in a view are widgets built from .ui files, which the -nogui packages do not ship:
  // LibreOffice aborts on any document with comments unless they stay hidden (PDF export still has them).
  { path: '/org.openoffice.Office.Writer/Content/Display', name: 'Note', type: 'boolean', value: 'false' },
  { path: '/org.openoffice.Office.WriterWeb/Content/Display', name: 'Note', type: 'boolean', value: 'false' },
  { path: '/org.openoffice.Office.Impress/Misc', name: 'ShowComments', type: 'boolean', value: 'false' },
  { path: '/org.openoffice.Office.Draw/Misc', name: 'ShowComments', type: 'boolean', value: 'false' },
  { path: '/org.openoffice.Office.Recovery/AutoSave', name: 'Enabled', type: 'boolean', value: 'false' },
  { path: '/org.openoffice.Office.Recovery/RecoveryInfo', name: 'Enabled', type: 'boolean', value: 'false' },
  { path: '/org.openoffice.Inet/Settings', name: 'ooInetProxyType', type: 'int', value: '2' },
  { path: '/org.openoffice.Inet/Settings', name: 'ooInetNoProxy', type: 'string', value: '' },
  ...(['HTTP', 'HTTPS', 'FTP'] as const).flatMap((proto): Setting[] => [
    {
      path: '/org.openoffice.Inet/Settings',
      name: `ooInet${proto}ProxyName`,
      type: 'string',
      value: DEAD_PROXY_HOST,
    },
    {
      path: '/org.openoffice.Inet/Settings',
      name: `ooInet${proto}ProxyPort`,
      type: 'int',
      value: String(DEAD_PROXY_PORT),
    },
  ]),
];

export function registryModifications(): string {
  const items = SETTINGS.map(
    (s) =>
      `<item oor:path="${s.path}"><prop oor:name="${s.name}" oor:op="fuse"><value>${s.value}</value></prop></item>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"' +
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    ...items,
    '</oor:items>',
    '',
  ].join('\n');
}

/**
 * Creates the profile folder with the settings above. An existing profile is kept: LibreOffice merges
 * its own state into the same file, and a profile it already initialised starts ~1 s faster.
 */
export async function prepareProfile(dir: string): Promise<void> {
  const userDir = path.join(dir, 'user');
  await mkdir(userDir, { recursive: true });
  const file = path.join(userDir, 'registrymodifications.xcu');
  await writeFile(file, registryModifications(), { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
}

/** Environment for soffice: the same dead proxy for anything that reads the usual variables. */
export function officeEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const proxy = `http://${DEAD_PROXY_HOST}:${DEAD_PROXY_PORT}`;
  return {
    ...base,
    http_proxy: proxy,
    https_proxy: proxy,
    ftp_proxy: proxy,
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    no_proxy: '',
    NO_PROXY: '',
    SAL_USE_VCLPLUGIN: 'svp',
  };
}
