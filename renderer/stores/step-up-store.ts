import { create } from 'zustand';

/**
 * IDN-3: the one pending step-up. The tRPC link (lib/step-up-link.ts) asks; the dialog
 * (components/step-up-dialog.tsx) shows the question and answers it. `submit` answers null when
 * the code was taken, or the server's refusal to show in place.
 */
export interface StepUpAsk {
  submit(code: string): Promise<string | null>;
  /** IDN-2: step up with a passkey instead (the browser's prompt); null when it was taken. */
  submitPasskey(): Promise<string | null>;
  cancel(): void;
}

interface StepUpState {
  ask: StepUpAsk | null;
}

export const useStepUp = create<StepUpState>()(() => ({ ask: null }));

/**
 * Shows the dialog until a code is accepted (true) or the person cancels (false). Calls that
 * arrive while it is open wait for the same answer: one code steps up the whole session.
 */
let pending: Promise<boolean> | null = null;
export function askForStepUp(
  send: (code: string) => Promise<string | null>,
  sendPasskey: () => Promise<string | null>,
): Promise<boolean> {
  pending ??= new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      useStepUp.setState({ ask: null });
      pending = null;
      resolve(ok);
    };
    useStepUp.setState({
      ask: {
        submit: async (code) => {
          const refusal = await send(code);
          if (refusal === null) done(true);
          return refusal;
        },
        submitPasskey: async () => {
          const refusal = await sendPasskey();
          if (refusal === null) done(true);
          return refusal;
        },
        cancel: () => done(false),
      },
    });
  });
  return pending;
}
