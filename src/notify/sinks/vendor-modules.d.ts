// The Alibaba Cloud messaging SDKs ship without type declarations; only what the sinks use is declared.

declare module '@alicloud/mns' {
  interface MnsResponse {
    code: number;
    headers: Record<string, string>;
    body?: Record<string, unknown>;
  }
  class MNSClient {
    constructor(
      accountId: string,
      opts: {
        endpoint?: string;
        region?: string;
        accessKeyId: string;
        accessKeySecret: string;
        securityToken?: string;
        readTimeout?: number;
        connectTimeout?: number;
      },
    );
    publishMessage(topic: string, params: { MessageBody: string; MessageTag?: string }): Promise<MnsResponse>;
  }
  export = MNSClient;
}

declare module '@aliyunmq/mq-http-sdk' {
  interface MqResponse {
    code: number;
    requestId?: string;
    body?: Record<string, unknown>;
  }
  export class MessageProperties {
    messageKey(key: string): void;
    putProperty(key: string, value: string): void;
  }
  export class MQProducer {
    publishMessage(body: string, tag?: string, props?: MessageProperties): Promise<MqResponse>;
  }
  export class MQClient {
    constructor(endpoint: string, accessKeyId: string, accessKeySecret: string, securityToken?: string);
    getProducer(instanceId: string, topic: string): MQProducer;
  }
}
