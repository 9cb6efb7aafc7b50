let counter = 0;

/** A task queue name unique within this test process, so tests sharing one server never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}
