import { CloudError, type CloudPort } from '@ipledger/cloud';
import { DomainError, type InstanceLimits, limitsFromInstanceType } from '@ipledger/domain';

/**
 * Limits per instance type from DescribeInstanceTypes, asked once per type and process (concurrent
 * registrations of one type share the call); a failed call is not cached.
 */
export class InstanceLimitsCache {
  private readonly byType = new Map<string, Promise<InstanceLimits>>();

  constructor(private readonly cloud: CloudPort) {}

  get(instanceType: string): Promise<InstanceLimits> {
    let limits = this.byType.get(instanceType);
    if (!limits) {
      limits = this.describe(instanceType);
      this.byType.set(instanceType, limits);
      void limits.catch(() => this.byType.delete(instanceType));
    }
    return limits;
  }

  private async describe(instanceType: string): Promise<InstanceLimits> {
    let found;
    try {
      found = await this.cloud.describeInstanceTypes([instanceType]);
    } catch (error) {
      if (error instanceof CloudError && !error.retryable) {
        throw new DomainError('invalid-argument', `instance_type: ${error.message}`, { field: 'instance_type' });
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new DomainError('unavailable', `DescribeInstanceTypes failed: ${message}`, { reason: 'cloud-unavailable' });
    }
    const facts = found.find((t) => t.instanceType === instanceType);
    if (!facts) {
      throw new DomainError(
        'invalid-argument',
        `instance_type: ${instanceType} is not an instance type the cloud knows`,
        {
          field: 'instance_type',
        },
      );
    }
    return limitsFromInstanceType(facts);
  }
}
