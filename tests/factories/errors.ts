import { expect } from "vitest";
import { AppError } from "../../lib/errors";

/** The AppError a call fails with (the test fails when it succeeds or throws anything else). */
export async function appError(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error("expected an AppError, but the call succeeded");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}
