import { toast } from '../stores/toast-store';

/** SEC-2: how long a copied secret may stay on the clipboard. */
export const CLIPBOARD_CLEAR_MS = 30_000;

/**
 * Copies a secret and, 30 s later, clears the clipboard only if it still holds that secret, so
 * whatever the user copied since is left alone. The timer is module-level on purpose: it must
 * fire even after the view that copied is gone (the user switched org).
 */
export async function copySecret(secret: string, what = 'Secret'): Promise<void> {
  await navigator.clipboard.writeText(secret);
  toast.success(`${what} copied. The clipboard is cleared in 30 s if it still holds it.`);
  setTimeout(() => void clearIfStillHeld(secret, what), CLIPBOARD_CLEAR_MS);
}

async function clearIfStillHeld(secret: string, what: string): Promise<void> {
  let current: string;
  try {
    current = await navigator.clipboard.readText();
  } catch {
    toast.info(
      `${what} may still be on the clipboard: this window may not read the clipboard to check, so clear it yourself.`,
    );
    return;
  }
  if (current !== secret) {
    // Said anyway: the user learns the secret is not lying on the clipboard.
    toast.info(`The clipboard no longer holds the ${what.toLowerCase()}; it was left as it is.`);
    return;
  }
  try {
    await navigator.clipboard.writeText('');
    toast.info(`${what} cleared from the clipboard.`);
  } catch {
    toast.info(`${what} could not be cleared from the clipboard; clear it yourself.`);
  }
}

/** Saves text as a file through a Blob link: no server round trip, nothing left behind. */
export function downloadText(
  filename: string,
  content: string | Uint8Array<ArrayBuffer>,
  type = 'application/json',
): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked on the next task: revoking synchronously can cancel the download in some engines.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
