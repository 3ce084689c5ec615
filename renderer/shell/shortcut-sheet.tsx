import { Fragment, useId } from 'react';
import { Dialog } from '../components/dialog';
import { shortcutLabel } from '../lib/keys';
import { useActions } from './actions';

/** Keys that belong to one widget rather than to an action. */
const WIDGET_KEYS: { title: string; keys: [string, string][] }[] = [
  {
    title: 'In the organization switcher and the action palette',
    keys: [
      ['↑ ↓', 'Move'],
      ['Page Up / Page Down', 'Move by five (switcher)'],
      ['Enter', 'Open or run'],
      ['Alt+P', 'Pin or unpin the organization (switcher)'],
      ['Esc', 'Close'],
    ],
  },
  {
    title: 'In dialogs and editors',
    keys: [
      ['Esc', 'Close (asks first when there are unsaved edits)'],
      ['Tab / Shift+Tab', 'Next / previous control'],
    ],
  },
];

/** UI-16: `?` — every shortcut: the console's, the current view's, and the widgets'. */
export function ShortcutSheet({ open, onClose }: { open: boolean; onClose(): void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts" size="medium">
      <SheetBody />
    </Dialog>
  );
}

function SheetBody() {
  const { view, global } = useActions();
  const id = useId();
  const groups: { title: string; rows: [string, string][] }[] = [
    {
      title: 'Everywhere',
      rows: global.flatMap((a): [string, string][] =>
        a.shortcut ? [[shortcutLabel(a.shortcut), a.label]] : [],
      ),
    },
    ...(view
      ? [
          {
            title: `In ${view.title}`,
            rows: view.actions.flatMap((a): [string, string][] =>
              a.shortcut ? [[shortcutLabel(a.shortcut), a.label]] : [],
            ),
          },
        ]
      : []),
    ...WIDGET_KEYS.map((w) => ({ title: w.title, rows: w.keys })),
  ].filter((g) => g.rows.length > 0);
  return (
    <div className="shortcut-sheet">
      <p className="muted">
        Single keys work when no field has focus. Shortcuts of an unavailable action say why
        instead.
      </p>
      {groups.map((g, i) => (
        <Fragment key={g.title}>
          <table className="shortcut-table" aria-labelledby={`${id}-${i}`}>
            <caption id={`${id}-${i}`}>{g.title}</caption>
            <thead className="visually-hidden">
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Keys</th>
              </tr>
            </thead>
            <tbody>
              {g.rows.map(([keys, what]) => (
                <tr key={`${keys}-${what}`}>
                  <th scope="row">{what}</th>
                  <td>
                    <kbd>{keys}</kbd>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Fragment>
      ))}
    </div>
  );
}
