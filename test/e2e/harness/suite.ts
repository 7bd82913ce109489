/**
 * Ordered steps of one scenario: a step after a failed one is reported as not run (failed with
 * the name of the step that broke), instead of failing on a half-deployed stack.
 */
export function scenario(): {
  step: (name: string, fn: () => Promise<void>, timeoutMs?: number) => void;
  failed: () => string | undefined;
} {
  let failedStep: string | undefined;
  return {
    step(name, fn, timeoutMs) {
      test(
        name,
        async () => {
          if (failedStep) throw new Error(`not run: the step "${failedStep}" failed`);
          try {
            await fn();
          } catch (e) {
            failedStep = name;
            throw e;
          }
        },
        timeoutMs,
      );
    },
    failed: () => failedStep,
  };
}
