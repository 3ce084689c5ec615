// Window size and position kept between runs, repaired when the screens have changed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW_STATE,
  MIN_HEIGHT,
  MIN_WIDTH,
  loadWindowState,
  saveWindowState,
} from '../../main/desktop/shell/window-state';

const SCREEN = { x: 0, y: 0, width: 1920, height: 1040 };
let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-win-'));
  file = join(dir, 'window-state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('window state', () => {
  it('defaults when there is no file or it is corrupt', () => {
    expect(loadWindowState(file, [SCREEN])).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(file, '{"width": "wide"');
    expect(loadWindowState(file, [SCREEN])).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(file, '{"width": -5, "height": 10}');
    expect(loadWindowState(file, [SCREEN])).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('round-trips size, position and maximized', () => {
    saveWindowState(file, { x: 100.4, y: 50, width: 1000, height: 700, maximized: true });
    expect(loadWindowState(file, [SCREEN])).toEqual({
      x: 100,
      y: 50,
      width: 1000,
      height: 700,
      maximized: true,
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ x: 100 });
  });

  it('drops a position on a screen that is gone, and clamps the size to the screens', () => {
    saveWindowState(file, { x: 2500, y: 100, width: 1000, height: 700, maximized: false });
    expect(loadWindowState(file, [SCREEN])).toEqual({ width: 1000, height: 700, maximized: false });
    // Still there on a two-screen setup.
    expect(
      loadWindowState(file, [SCREEN, { x: 1920, y: 0, width: 1920, height: 1080 }]),
    ).toMatchObject({ x: 2500 });
    saveWindowState(file, { width: 5000, height: 100, maximized: false });
    expect(loadWindowState(file, [SCREEN])).toEqual({
      width: 1920,
      height: MIN_HEIGHT,
      maximized: false,
    });
    saveWindowState(file, { width: 10, height: 10, maximized: false });
    expect(loadWindowState(file, [SCREEN])).toMatchObject({ width: MIN_WIDTH, height: MIN_HEIGHT });
  });

  it('keeps a window whose title bar is partly visible, not one only a sliver is', () => {
    saveWindowState(file, { x: -900, y: 10, width: 1000, height: 700, maximized: false });
    expect(loadWindowState(file, [SCREEN])).toMatchObject({ x: -900 });
    saveWindowState(file, { x: -990, y: 10, width: 1000, height: 700, maximized: false });
    expect(loadWindowState(file, [SCREEN]).x).toBeUndefined();
    saveWindowState(file, { x: 10, y: -100, width: 1000, height: 700, maximized: false });
    expect(loadWindowState(file, [SCREEN]).x).toBeUndefined();
  });
});
