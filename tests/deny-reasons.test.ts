// UI-16: a disabled control says why in plain words. For every permission and every kind of
// caller the console meets, the reason names who may (never a permission id), and a support
// engineer, who can never be given a write, is never sent to ask anyone for one.
import { describe, expect, it } from 'vitest';
import { denialReason, VIEW_ONLY_REASON } from '../shared/deny-reasons';
import { PERMISSION_TABLE, PERMISSIONS, ROLE_PERMISSIONS } from '../shared/permissions';

const PERMISSION_ID = /\b[a-z_]+\.[a-z_]+\b/;

describe('denialReason', () => {
  it('names who may, in words, for every permission', () => {
    for (const p of PERMISSIONS) {
      const text = denialReason(p, { supportEngineer: false });
      expect(text, p).not.toMatch(PERMISSION_ID);
      expect(text, p).toContain(PERMISSION_TABLE[p].label);
      expect(text, p).toMatch(/^Only .+ can .+\.$/);
    }
    expect(denialReason('settings.manage', { supportEngineer: false })).toBe(
      'Only account admins can create and edit organizations.',
    );
    expect(denialReason('locations.manage', { supportEngineer: false })).toBe(
      'Only account admins, org admins and technicians can manage locations.',
    );
  });

  it('lists exactly the roles that hold the permission', () => {
    expect(denialReason('audit.view', { supportEngineer: false })).toBe(
      'Only account admins and org admins can view the audit trail.',
    );
    for (const p of PERMISSIONS) {
      const holders = Object.entries(ROLE_PERMISSIONS)
        .filter(([, ps]) => ps.includes(p))
        .map(([r]) => r);
      expect(holders.length, p).toBeGreaterThan(0);
    }
  });

  it('tells a support engineer a write is view-only, and never to ask an admin', () => {
    for (const p of PERMISSIONS) {
      const text = denialReason(p, { supportEngineer: true });
      expect(text, p).not.toMatch(PERMISSION_ID);
      expect(text, p).not.toMatch(/\bask\b|admin/i);
      if (PERMISSION_TABLE[p].access === 'write') expect(text, p).toBe(VIEW_ONLY_REASON);
    }
  });
});
