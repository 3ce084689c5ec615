import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { Dialog } from '../components/dialog';
import { shortcutLabel } from '../lib/keys';
import { allActions, reasonOf, unavailable, useActions, type ActionDef } from './actions';

/**
 * UI-16: Ctrl/Cmd+Shift+P. Every action of the current view, then the console's own, each with
 * its shortcut; a disabled one says why. Type to filter, arrows and Enter to run.
 */
export function ActionPalette({
  open,
  onClose,
  onRun,
}: {
  open: boolean;
  onClose(): void;
  /** Runs after the palette has closed (and given focus back). */
  onRun(action: ActionDef): void;
}) {
  return (
    <Dialog open={open} onClose={onClose} title="Actions" className="switcher palette">
      <PaletteBody onRun={onRun} />
    </Dialog>
  );
}

function PaletteBody({ onRun }: { onRun(action: ActionDef): void }) {
  const state = useActions();
  const listboxId = useId();
  const statusId = useId();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const query = text.trim().toLowerCase();
  const options = allActions(state).filter((a) => a.label.toLowerCase().includes(query));
  useEffect(() => setActive(0), [query]);
  const index = Math.min(active, Math.max(options.length - 1, 0));
  const current = options[index];
  const optionId = (a: ActionDef) => `${listboxId}-${a.id}`;

  const choose = (a: ActionDef | undefined) => {
    if (a && !unavailable(a)) onRun(a);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const n = options.length;
    if (e.key === 'ArrowDown' && n > 0) {
      e.preventDefault();
      setActive((index + 1) % n);
    } else if (e.key === 'ArrowUp' && n > 0) {
      e.preventDefault();
      setActive((index - 1 + n) % n);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(current);
    }
  };

  return (
    <div className="switcher-body">
      <input
        type="text"
        role="combobox"
        className="switcher-input"
        aria-label="Search actions"
        aria-expanded="true"
        aria-controls={listboxId}
        aria-autocomplete="list"
        aria-activedescendant={current ? optionId(current) : undefined}
        aria-describedby={statusId}
        placeholder={
          state.view ? `Actions of ${state.view.title} and of the console` : 'Console actions'
        }
        autoComplete="off"
        spellCheck={false}
        value={text}
        data-autofocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div id={statusId} className="switcher-status" role="status" aria-live="polite">
        {options.length === 0
          ? `No action matches “${text.trim()}”.`
          : `${options.length} ${options.length === 1 ? 'action' : 'actions'}.`}
      </div>
      <div role="listbox" id={listboxId} aria-label="Actions" className="switcher-list">
        {options.map((a, i) => {
          const reason = reasonOf(a);
          const off = unavailable(a);
          return (
            <div
              key={a.id}
              id={optionId(a)}
              role="option"
              aria-selected={i === index}
              aria-disabled={off || undefined}
              className={`switcher-option${i === index ? ' is-active' : ''}${off ? ' is-disabled' : ''}`}
              onMouseMove={() => setActive(i)}
              onClick={() => choose(a)}
            >
              <span className="palette-label">
                <span className="switcher-name">{a.label}</span>
                {reason ? <span className="palette-reason">{reason}</span> : null}
              </span>
              {a.shortcut ? <kbd>{shortcutLabel(a.shortcut)}</kbd> : null}
            </div>
          );
        })}
      </div>
      <div className="switcher-hints" aria-hidden="true">
        <span>
          <kbd>↑</kbd> <kbd>↓</kbd> move
        </span>
        <span>
          <kbd>Enter</kbd> run
        </span>
        <span>
          <kbd>Esc</kbd> close
        </span>
      </div>
    </div>
  );
}
