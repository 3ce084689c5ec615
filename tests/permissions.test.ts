// The permission table, pinned: every role × permission cell and every audience is written out
// here a second time on purpose, so adding a permission, giving a role more or letting support
// keep something shows up in this file's diff as a decision, not only in shared/permissions.ts.
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_PERMISSIONS,
  ORG_ROLES,
  PERMISSIONS,
  PERMISSION_LABELS,
  PERMISSION_TABLE,
  READ_ONLY_PERMISSIONS,
  ROLES,
  ROLE_PERMISSIONS,
  SUPPORT_PERMISSIONS,
  permissionsOf,
  type Permission,
} from '../shared/permissions';

type Cell = 0 | 1;
// Columns: scope, access, then account_admin, org_admin, technician, reader, then support grant
// and read-only token.
// prettier-ignore
const MATRIX: [Permission, 'account' | 'org', 'read' | 'write', Cell, Cell, Cell, Cell, Cell, Cell][] = [
  //                             scope      access   adm org tec rdr  sup ro
  ['organizations.read',        'org',     'read',  1,  1,  1,  1,   1,  1],
  ['settings.manage',           'account', 'write', 1,  0,  0,  0,   0,  0],
  ['organizations.edit',        'org',     'write', 1,  1,  0,  0,   0,  0],
  ['organizations.hard_delete', 'account', 'write', 1,  0,  0,  0,   0,  0],
  ['locations.manage',          'org',     'write', 1,  1,  1,  0,   0,  0],
  ['hosts.manage',              'org',     'write', 1,  1,  1,  0,   0,  0],
  ['incidents.report',          'org',     'write', 1,  1,  1,  0,   0,  0],
  ['support_access.manage',     'account', 'write', 1,  0,  0,  0,   0,  0],
  ['audit.view',                'org',     'read',  1,  1,  0,  0,   1,  1],
  ['governance.manage',         'org',     'write', 1,  1,  0,  0,   0,  0],
  ['gdpr.manage',               'account', 'write', 1,  0,  0,  0,   0,  0],
  ['users.manage',              'account', 'write', 1,  0,  0,  0,   0,  0],
];

const byColumn = (col: 3 | 4 | 5 | 6 | 7 | 8): Permission[] =>
  MATRIX.filter((row) => row[col] === 1).map((row) => row[0]);

describe('the permission table', () => {
  it('lists exactly the pinned permissions, in order', () => {
    expect([...PERMISSIONS]).toEqual(MATRIX.map((row) => row[0]));
    expect(ROLES).toEqual(['account_admin', 'org_admin', 'technician', 'reader']);
    expect(ORG_ROLES).toEqual(['org_admin', 'technician', 'reader']);
  });

  it('gives each role exactly the pinned permissions (the role × permission matrix)', () => {
    expect(ROLE_PERMISSIONS).toEqual({
      account_admin: byColumn(3),
      org_admin: byColumn(4),
      technician: byColumn(5),
      reader: byColumn(6),
    });
    for (const role of ROLES) expect([...permissionsOf([role])]).toEqual(ROLE_PERMISSIONS[role]);
  });

  it('pins scope, access and the audiences of every permission', () => {
    for (const [p, scope, access, , , , , support, readOnly] of MATRIX) {
      expect(PERMISSION_TABLE[p], p).toMatchObject({
        scope,
        access,
        support: support === 1,
        readOnlyToken: readOnly === 1,
      });
    }
    expect(SUPPORT_PERMISSIONS).toEqual(byColumn(7));
    expect(READ_ONLY_PERMISSIONS).toEqual(byColumn(8));
    expect(ACCOUNT_PERMISSIONS).toEqual(MATRIX.filter((r) => r[1] === 'account').map((r) => r[0]));
  });

  it('names every permission', () => {
    for (const p of PERMISSIONS) expect(PERMISSION_LABELS[p], p).toMatch(/^[a-z].{4,}/);
  });
});

describe('invariants of the permission table', () => {
  const spec = (p: Permission) => PERMISSION_TABLE[p];

  it('account-scoped permissions are held by account_admin alone', () => {
    for (const p of ACCOUNT_PERMISSIONS) expect(spec(p).roles, p).toEqual(['account_admin']);
    for (const role of ORG_ROLES) {
      expect(
        ROLE_PERMISSIONS[role].filter((p) => ACCOUNT_PERMISSIONS.includes(p)),
        role,
      ).toEqual([]);
    }
  });

  it('a support grant and a read-only token never carry a write', () => {
    for (const p of [...SUPPORT_PERMISSIONS, ...READ_ONLY_PERMISSIONS]) {
      expect(spec(p).access, p).toBe('read');
    }
  });

  it('account_admin holds everything (the system actor runs as one)', () => {
    expect(ROLE_PERMISSIONS.account_admin).toEqual(PERMISSIONS);
  });

  it('every role and audience can read the org (access checks visibility with it)', () => {
    for (const role of ROLES) expect(ROLE_PERMISSIONS[role], role).toContain('organizations.read');
    expect(SUPPORT_PERMISSIONS).toContain('organizations.read');
    expect(READ_ONLY_PERMISSIONS).toContain('organizations.read');
  });

  it('lists each role once per permission', () => {
    for (const p of PERMISSIONS) expect(new Set(spec(p).roles).size, p).toBe(spec(p).roles.length);
  });
});
