import type { Bio, BlockDevice, DevT, ScsiDevice } from "@mp/dm-core";

/**
 * A block device that stands in front of another one: the same dev_t, name, size, block size,
 * stacking and SCSI device as `inner`; what it does with a bio is the subclass's `submit`.
 * The workload's per-path statistics and the scenario's completion probe are two such layers.
 */
export abstract class ForwardingBlockDevice implements BlockDevice {
  readonly inner: BlockDevice;

  constructor(inner: BlockDevice) {
    this.inner = inner;
  }

  get devt(): DevT {
    return this.inner.devt;
  }
  get name(): string {
    return this.inner.name;
  }
  get logicalBlockSize(): number {
    return this.inner.logicalBlockSize;
  }
  get requestStackable(): boolean {
    return this.inner.requestStackable;
  }
  get partition(): boolean {
    return this.inner.partition;
  }
  get scsi(): ScsiDevice | undefined {
    return this.inner.scsi;
  }
  sizeSectors(): number {
    return this.inner.sizeSectors();
  }
  readOnly(): boolean {
    return this.inner.readOnly();
  }
  dying(): boolean {
    return this.inner.dying();
  }

  abstract submit(bio: Bio): void;
}
