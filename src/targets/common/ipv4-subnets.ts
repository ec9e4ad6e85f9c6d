/**
 * Splits an IPv4 CIDR into equal subnets in TypeScript rather than with Terraform's
 * `cidrsubnet()`, so the synthesized JSON shows the real ranges a reviewer will see in AWS.
 */

export interface Ipv4Subnets {
  /** The subnet at `index` (0-based); throws when the split has fewer. */
  at(index: number): string;
  readonly all: readonly string[];
}

/** `10.0.0.0/16` split by 2 extra bits gives the four /18 blocks, lowest first. */
export function splitIpv4Cidr(cidr: string, extraBits: number): Ipv4Subnets {
  const [address = '', prefixText = ''] = cidr.split('/');
  const prefix = Number(prefixText);
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !(octet >= 0 && octet <= 255))) {
    throw new Error(`${cidr} is not an IPv4 CIDR block`);
  }
  const newPrefix = prefix + extraBits;
  if (!Number.isInteger(prefix) || newPrefix > 28) {
    throw new Error(`${cidr} is too small to split into ${2 ** extraBits} subnets of /28 or more`);
  }
  const base = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - newPrefix);
  // Clear host bits, as AWS would reject 10.0.0.1/16.
  const network = base - (base % 2 ** (32 - prefix));
  const all = Array.from({ length: 2 ** extraBits }, (_, index) => {
    const start = network + index * size;
    return `${[24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256).join('.')}/${newPrefix}`;
  });
  return {
    all,
    at(index) {
      const subnet = all[index];
      if (subnet === undefined) throw new Error(`${cidr} has no subnet ${index}`);
      return subnet;
    },
  };
}
