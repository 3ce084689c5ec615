// The desktop's log: one line per event in <logs>/main.log. Callers pass messages and error
// codes, never inputs, tokens or secrets; the log is for "what happened", not "with what data".
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const MAX_BYTES = 5 * 1024 * 1024;

export function createFileLogger(file: string, now: () => Date = () => new Date()): Logger {
  mkdirSync(dirname(file), { recursive: true });
  const write = (level: string, message: string) => {
    try {
      // One previous file is kept: enough to read what led to a problem, bounded in size.
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_BYTES) {
        renameSync(file, `${file}.1`);
      }
      appendFileSync(file, `${now().toISOString()} ${level} ${message.replace(/\s+/g, ' ')}\n`, {
        mode: 0o600,
      });
    } catch {
      // Logging must never take the app down.
    }
  };
  return {
    info: (m) => write('INFO', m),
    warn: (m) => write('WARN', m),
    error: (m) => write('ERROR', m),
  };
}
