import EcsModule from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';

export type EcsClient = InstanceType<typeof EcsModule.default>;

export interface EcsCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** For STS credentials. */
  securityToken?: string;
}

export interface EcsClientOptions {
  regionId: string;
  credentials: EcsCredentials;
  /** `host:port` without a scheme (e.g. ecs-sim's endpoint); omitted = Alibaba Cloud's endpoint for the region. */
  endpoint?: string;
  /** Default 'http' with an explicit endpoint (ecs-sim), 'https' otherwise. */
  protocol?: 'http' | 'https';
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
}

/**
 * The unmodified Alibaba Cloud ECS client. The package is CommonJS: loaded natively from ESM its class is the
 * `default` property, while bundlers and test runners may hand over the class itself, so accept both.
 */
export function createEcsClient(options: EcsClientOptions): EcsClient {
  const candidate = (EcsModule as unknown as { default?: unknown }).default;
  const EcsClass = (typeof candidate === 'function' ? candidate : EcsModule) as typeof EcsModule.default;
  const config = new $OpenApiUtil.Config({
    accessKeyId: options.credentials.accessKeyId,
    accessKeySecret: options.credentials.accessKeySecret,
    securityToken: options.credentials.securityToken,
    regionId: options.regionId,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    readTimeout: options.readTimeoutMs ?? 10_000,
  });
  if (options.endpoint !== undefined) {
    config.endpoint = options.endpoint;
    config.protocol = options.protocol ?? 'http';
  } else if (options.protocol !== undefined) {
    config.protocol = options.protocol;
  }
  return new EcsClass(config);
}
