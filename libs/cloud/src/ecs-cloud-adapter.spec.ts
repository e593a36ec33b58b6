import { describe, expect, it } from 'vitest';
import { type CloudApiName } from './cloud-api.js';
import { CloudError } from './cloud.port.js';
import { EcsCloudAdapter } from './ecs-cloud-adapter.js';
import { type CloudRateLimiterPort, RATE_LIMITER_UNAVAILABLE } from './rate-limiter.port.js';
import { ManualClock } from './testing/manual-clock.js';

describe('EcsCloudAdapter with a limiter of its caller', () => {
  it('takes its tokens from that limiter, and sends nothing while the limiter has none to give', async () => {
    const asked: CloudApiName[] = [];
    const limiter: CloudRateLimiterPort = {
      acquire: (api) => {
        asked.push(api);
        return Promise.reject(new Error('shared buckets unreachable'));
      },
      limit: () => 1,
    };
    const clock = new ManualClock();
    const cloud = new EcsCloudAdapter({
      regionId: 'cn-hangzhou',
      // Port 9 (discard) on loopback: were a request sent despite the missing token, it would fail differently.
      endpoint: '127.0.0.1:9',
      credentials: { accessKeyId: 'LTAIunit', accessKeySecret: 'unitSecret' },
      rateLimit: { DescribeVSwitches: 1_000 },
      limiter,
      retry: { maxAttempts: 2 },
      clock,
    });
    const result = cloud.describeVSwitches(['vsw-a']).catch((error: unknown) => error);
    await clock.runUntilIdle();
    const error = (await result) as CloudError;
    expect(error).toBeInstanceOf(CloudError);
    expect(error.code).toBe(RATE_LIMITER_UNAVAILABLE);
    expect(asked).toEqual(['DescribeVSwitches', 'DescribeVSwitches']);
  });
});
