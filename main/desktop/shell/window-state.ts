// Window size and position kept between runs, in a small JSON file in userData. The file may be
// missing, corrupt, or from a machine whose screens have changed: the state is then repaired
// (clamped, or the position dropped so the window is centred) rather than trusted.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Absent: let the OS place (centre) the window. */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false };
export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 560;
/** How much of the title bar must be on a screen for a saved position to be kept. */
const VISIBLE_MIN = 100;

const stored = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean().default(false),
});

function overlap(a: Rect, b: Rect): { w: number; h: number } {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { w: Math.max(0, w), h: Math.max(0, h) };
}

/** Fits a state to the current screens (their work areas). */
export function fitToDisplays(state: WindowState, workAreas: readonly Rect[]): WindowState {
  const largest = workAreas.reduce<Rect | null>(
    (best, d) => (!best || d.width * d.height > best.width * best.height ? d : best),
    null,
  );
  const maxW = largest ? Math.max(MIN_WIDTH, largest.width) : Number.MAX_SAFE_INTEGER;
  const maxH = largest ? Math.max(MIN_HEIGHT, largest.height) : Number.MAX_SAFE_INTEGER;
  const width = Math.min(Math.max(state.width, MIN_WIDTH), maxW);
  const height = Math.min(Math.max(state.height, MIN_HEIGHT), maxH);
  const out: WindowState = { width, height, maximized: state.maximized };
  if (state.x === undefined || state.y === undefined) return out;
  const titleBar: Rect = { x: state.x, y: state.y, width, height: 32 };
  const visible = workAreas.some((d) => {
    const o = overlap(titleBar, d);
    return o.w >= Math.min(VISIBLE_MIN, width) && o.h > 0;
  });
  return visible ? { ...out, x: state.x, y: state.y } : out;
}

/** The saved state fitted to the screens, or the default when there is none or it is unreadable. */
export function loadWindowState(file: string, workAreas: readonly Rect[]): WindowState {
  let parsed: WindowState = DEFAULT_WINDOW_STATE;
  try {
    const result = stored.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (result.success) parsed = result.data;
  } catch {
    // Missing or not JSON: the default.
  }
  return fitToDisplays(parsed, workAreas);
}

/** Written to a temp file and renamed, so a crash mid-write never leaves half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  const clean: WindowState = {
    width: Math.round(state.width),
    height: Math.round(state.height),
    maximized: state.maximized,
    ...(state.x !== undefined && state.y !== undefined
      ? { x: Math.round(state.x), y: Math.round(state.y) }
      : {}),
  };
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(clean, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}
