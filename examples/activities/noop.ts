/** Does nothing: the unit of work of the overhead benchmark. */
export async function noop(): Promise<number> {
  return 1;
}
