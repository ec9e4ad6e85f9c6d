/**
 * The root volume must be at least as large as the AMI's root snapshot, or EC2 refuses the
 * launch ("Volume of size N is smaller than snapshot"); the spec's minimum cannot know the
 * snapshot of an AMI chosen at plan time, so a precondition reads it from the AMI.
 */
import { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami/index.js';
import type { Precondition, TerraformStack } from 'cdktf';

export interface RootDevice {
  /** `/dev/sda1` on Ubuntu, `/dev/xvda` on Amazon Linux. */
  readonly deviceName: string;
  readonly precondition: Precondition;
}

export function addRootDevice(stack: TerraformStack, amiId: string, sizeGib: number): RootDevice {
  const ami = new DataAwsAmi(stack, 'ami', {
    filter: [{ name: 'image-id', values: [amiId] }],
  });
  const snapshotGib = `one([for device in ${ami.fqn}.block_device_mappings : tonumber(lookup(device.ebs, "volume_size", "0")) if device.device_name == ${ami.fqn}.root_device_name])`;
  return {
    deviceName: ami.rootDeviceName,
    precondition: {
      condition: `\${${sizeGib} >= coalesce(${snapshotGib}, 0)}`,
      errorMessage: `spec.root_volume_gib (${sizeGib}) is smaller than the root snapshot of the AMI; raise root_volume_gib to at least the AMI's root volume size.`,
    },
  };
}
