/**
 * Something a test waits for, 5 s at most: `came()` tells whether `give()` was called in time. A statement held until
 * another has been sent proves the two go out together: one after the other, the first waits the 5 s and `came()` is
 * false. `done()` clears the timer.
 */
export function signal(): { give: () => void; came: () => Promise<boolean>; done: () => void } {
  let give!: () => void;
  const given = new Promise<boolean>((resolve) => (give = () => resolve(true)));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, 5_000, false)));
  return { give, came: () => Promise.race([given, late]), done: () => clearTimeout(timer) };
}
