// Two steps that run side by side, where a failure of one must not cut the other short: a rollback that starts
// while the other step is still writing would race it. Waits for both, then fails with the first failure.
export async function settleBoth<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') {
    throw a.reason;
  }
  if (b.status === 'rejected') {
    throw b.reason;
  }
  return [a.value, b.value];
}
