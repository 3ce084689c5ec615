import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { formatDateTime } from '../lib/format';
import { useTRPC } from '../lib/trpc';

/**
 * INT-3: the bell in the title bar. Its count is the caller's unread notifications (support
 * access asked for, started and ended, emergency disable, forwarding failing), polled so a
 * request made elsewhere shows up by itself; it opens the list, where each is marked read.
 */
export function NotificationBell() {
  const trpc = useTRPC();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const count = useQuery({
    ...trpc.notifications.unreadCount.queryOptions(),
    refetchInterval: 15_000,
  });
  const list = useQuery({
    ...trpc.notifications.list.queryOptions({ limit: 20 }),
    enabled: open,
  });
  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: trpc.notifications.unreadCount.queryKey() }),
      client.invalidateQueries({ queryKey: trpc.notifications.list.queryKey() }),
    ]);
  const markRead = useMutation(
    trpc.notifications.markRead.mutationOptions({ onSuccess: () => void refresh() }),
  );
  useEffect(() => {
    if (!open) return;
    panel.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  const unread = count.data?.unread ?? 0;
  return (
    <span className="notification-bell">
      <button
        type="button"
        className="icon-button"
        aria-expanded={open}
        aria-controls="notification-panel"
        aria-label={`Notifications, ${unread} unread`}
        title="Notifications"
        onClick={() => {
          setOpen((o) => !o);
          void refresh();
        }}
      >
        <span aria-hidden="true">🔔</span>
        {unread > 0 ? (
          <span className="notification-count" aria-hidden="true" data-testid="unread-count">
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div
          id="notification-panel"
          className="notification-panel"
          role="dialog"
          aria-label="Notifications"
          tabIndex={-1}
          ref={panel}
        >
          <div className="notification-head">
            <strong>Notifications</strong>
            <button
              type="button"
              className="button button-ghost"
              disabled={unread === 0 || markRead.isPending}
              onClick={() => markRead.mutate({ id: null })}
            >
              Mark all read
            </button>
          </div>
          {list.isPending ? (
            <p className="muted">Loading…</p>
          ) : list.data && list.data.items.length > 0 ? (
            <ul className="notification-list">
              {list.data.items.map((n) => (
                <li key={n.id} className={n.read_at ? 'read' : 'unread'}>
                  <div className="notification-title">{n.title}</div>
                  <div className="notification-body">{n.body}</div>
                  <div className="notification-meta">
                    <time dateTime={n.created_at}>{formatDateTime(n.created_at)}</time>
                    {n.read_at ? null : (
                      <button
                        type="button"
                        className="button button-ghost"
                        aria-label={`Mark read: ${n.title}`}
                        disabled={markRead.isPending}
                        onClick={() => markRead.mutate({ id: n.id })}
                      >
                        Mark read
                      </button>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No notifications.</p>
          )}
        </div>
      ) : null}
    </span>
  );
}
