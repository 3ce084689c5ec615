// The application menu: the platform's standard roles, plus New window, Switch organization…,
// Export…, Open export… and Restore from export…. Commands that need the page's state (which org
// is current) are sent to the focused window as shell events; the rest run here.
import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/ipc-channels';

export interface MenuActions {
  newWindow(): void;
  openExport(): void;
  send(command: MenuCommand): void;
}

export function buildAppMenu(a: MenuActions): Menu {
  const isMac = process.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: 'new-window', label: 'New Window', accelerator: 'CmdOrCtrl+N', click: a.newWindow },
      { type: 'separator' },
      {
        id: 'switch-organization',
        label: 'Switch Organization…',
        accelerator: 'CmdOrCtrl+Shift+O',
        click: () => a.send('switch-organization'),
      },
      { type: 'separator' },
      { id: 'export', label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => a.send('export') },
      { id: 'open-export', label: 'Open Export…', accelerator: 'CmdOrCtrl+O', click: a.openExport },
      { id: 'restore', label: 'Restore from Export…', click: () => a.send('restore') },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    file,
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
