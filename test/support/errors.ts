/** The error a test expects, as a value to assert on: what a call throws, or what a promise rejects with. */

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** What `run` throws, when it is a `type`; anything else thrown, or nothing, fails the test. */
export function thrownBy<E extends Error>(run: () => unknown, type: ErrorClass<E>): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, and nothing was thrown`);
}

/** What `promise` rejects with, when it is a `type`; any other rejection, or none, fails the test. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, and the promise was fulfilled`);
}
