/**
 * Stand-ins for Alibaba Cloud MNS and RocketMQ (HTTP protocol), which cannot run here. Each implements
 * the documented publish call — path, headers, XML body, `Content-MD5` and the HMAC-SHA1 authorization
 * (`MNS <AccessKeyId>:<Signature>` / `MQ <AccessKeyId>:<Signature>`) — verifies it as the service does,
 * and answers with the documented XML (201 + MessageId/MessageBodyMD5, or an `<Error>` document).
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PublishedMessage {
  topic: string;
  /** RocketMQ `ns` query parameter (instance id). */
  instanceId?: string;
  body: string;
  tag?: string;
  properties?: string;
  headers: IncomingMessage['headers'];
}

export interface AliyunReceiver {
  endpoint: string;
  messages: PublishedMessage[];
  /** Every request's outcome, including refused ones (code or 'ok'). */
  outcomes: string[];
  topics: Set<string>;
  close(): Promise<void>;
}

type Flavour = 'mns' | 'mq';

const NS: Record<Flavour, string> = {
  mns: 'http://mns.aliyuncs.com/doc/v1/',
  mq: 'http://mq.aliyuncs.com/doc/v1/',
};

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, d) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

class MalformedXml extends Error {}

/** The text of an element; throws on text that is not well-formed XML (a raw `<` or `&`). */
function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  if (!m) return undefined;
  const cdata = /^<!\[CDATA\[([\s\S]*?)\]\]>$/.exec(m[1]!);
  if (cdata) {
    if (cdata[1]!.includes(']]>')) throw new MalformedXml(name);
    return cdata[1];
  }
  if (/<|&(?!(lt|gt|amp|quot|apos|#\d+);)/.test(m[1]!)) throw new MalformedXml(name);
  return unescapeXml(m[1]!);
}

function signature(flavour: Flavour, secret: string, req: IncomingMessage): string {
  const h = req.headers;
  const prefix = flavour === 'mns' ? 'x-mns-' : 'x-mq-';
  const canonical = Object.keys(h)
    .filter((k) => k.startsWith(prefix))
    .sort()
    .map((k) => `${k}:${h[k]}\n`)
    .join('');
  const toSign = `${req.method}\n${h['content-md5'] ?? ''}\n${h['content-type'] ?? ''}\n${h.date ?? ''}\n${canonical}${req.url}`;
  return createHmac('sha1', secret).update(toSign, 'utf8').digest('base64');
}

function sendXml(res: ServerResponse, flavour: Flavour, status: number, inner: string) {
  const root = status >= 300 ? 'Error' : 'Message';
  res.writeHead(status, {
    'content-type': 'text/xml;charset=utf-8',
    [flavour === 'mns' ? 'x-mns-request-id' : 'x-mq-request-id']: randomUUID().toUpperCase(),
  });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${NS[flavour]}">${inner}</${root}>`);
}

function error(res: ServerResponse, flavour: Flavour, status: number, code: string, message: string) {
  sendXml(
    res,
    flavour,
    status,
    `<Code>${code}</Code><Message>${message}</Message><RequestId>r</RequestId><HostId>h</HostId>`,
  );
}

function md5Matches(header: string, body: Buffer): boolean {
  const raw = createHash('md5').update(body).digest();
  // The official SDKs send base64 of the hex digest; the documentation describes base64 of the digest.
  return header === raw.toString('base64') || header === Buffer.from(raw.toString('hex')).toString('base64');
}

/** Checks one publish request; returns the refusal (code, status, message) or null when it is valid. */
function check(
  flavour: Flavour,
  creds: { accessKeyId: string; accessKeySecret: string },
  req: IncomingMessage,
  body: Buffer,
): [number, string, string] | null {
  const scheme = flavour === 'mns' ? 'MNS' : 'MQ';
  const auth = /^(MNS|MQ) ([^:]+):(.+)$/.exec(req.headers.authorization ?? '');
  if (!auth || auth[1] !== scheme) return [403, 'AccessDenied', 'missing or malformed Authorization'];
  if (auth[2] !== creds.accessKeyId) return [403, 'InvalidAccessKeyId', 'unknown AccessKeyId'];
  if (req.headers[flavour === 'mns' ? 'x-mns-version' : 'x-mq-version'] !== '2015-06-06') {
    return [400, 'InvalidArgument', 'missing version header'];
  }
  const date = Date.parse(req.headers.date ?? '');
  if (!Number.isFinite(date) || Math.abs(Date.now() - date) > 15 * 60_000)
    return [403, 'TimeExpired', 'bad Date'];
  if (!md5Matches(String(req.headers['content-md5'] ?? ''), body))
    return [400, 'InvalidDigest', 'Content-MD5 mismatch'];
  const expected = Buffer.from(signature(flavour, creds.accessKeySecret, req));
  const given = Buffer.from(auth[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return [403, 'SignatureDoesNotMatch', 'signature mismatch'];
  }
  return null;
}

export async function startAliyunReceiver(
  flavour: Flavour,
  creds: { accessKeyId: string; accessKeySecret: string },
  topics: string[],
): Promise<AliyunReceiver> {
  const messages: PublishedMessage[] = [];
  const outcomes: string[] = [];
  const known = new Set(topics);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      const m = /^\/topics\/([^/]+)\/messages$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) return error(res, flavour, 404, 'InvalidAction', 'not a publish call');
      const refused = check(flavour, creds, req, body);
      if (refused) {
        outcomes.push(refused[1]);
        return error(res, flavour, ...refused);
      }
      const topic = decodeURIComponent(m[1]!);
      if (!known.has(topic)) {
        outcomes.push('TopicNotExist');
        return error(res, flavour, 404, 'TopicNotExist', 'The topic you provided does not exist.');
      }
      const xml = body.toString('utf8');
      let text: string;
      let tag: string | undefined;
      let properties: string | undefined;
      try {
        text = element(xml, 'MessageBody') ?? '';
        tag = element(xml, 'MessageTag');
        properties = element(xml, 'Properties');
      } catch {
        outcomes.push('MalformedXML');
        return error(res, flavour, 400, 'MalformedXML', 'The XML you provided was not well-formed.');
      }
      outcomes.push('ok');
      messages.push({
        topic,
        instanceId: url.searchParams.get('ns') ?? undefined,
        body: text,
        tag,
        properties,
        headers: req.headers,
      });
      const md5 = createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
      sendXml(
        res,
        flavour,
        201,
        `<MessageId>${randomUUID().replaceAll('-', '').toUpperCase()}</MessageId><MessageBodyMD5>${md5}</MessageBodyMD5>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    messages,
    outcomes,
    topics: known,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
