import type { BootstrapResult } from '../accounts/bootstrap.ts';

/** Printed once, when this start created the account: the keys and a client example to paste. */
export function printFirstStartBanner(b: BootstrapResult, url: string, region: string) {
  const endpoint = url.replace(/^https?:\/\//, '');
  const lines = [
    '',
    'openimm created its first account. Keep these keys (they are also in the data folder, credentials.json):',
    '',
    `  AccessKeyId:     ${b.key.accessKeyId}`,
    `  AccessKeySecret: ${b.key.secret}`,
    `  Account:         ${b.key.accountId}`,
    '',
    'Try it with the Alibaba Cloud generic client (npm install @alicloud/openapi-core):',
    '',
    "  const OpenApi = require('@alicloud/openapi-core');",
    '  const client = new OpenApi.default(new OpenApi.$OpenApiUtil.Config({',
    `    accessKeyId: '${b.key.accessKeyId}', accessKeySecret: '${b.key.secret}',`,
    `    endpoint: '${endpoint}', protocol: 'http', regionId: '${region}' }));`,
    "  const params = new OpenApi.$OpenApiUtil.Params({ action: 'CreateProject', version: '2020-09-30',",
    "    protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });",
    "  const req = new OpenApi.$OpenApiUtil.OpenApiRequest({ query: { ProjectName: 'demo' } });",
    '  client.callApi(params, req, {}).then((r) => console.log(r.body));',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
