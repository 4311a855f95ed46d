/** SQL of the token service's settings and keys, applications, members and access tokens: one text for both backends. */
import { postgresOnly, sql } from '../sql/statement.ts';

const TOKENS_WITH_GRANTS = 'access_tokens t LEFT JOIN token_grants g ON g.token_id = t.id';

export const identitySql = {
  setting: sql('setting', 'SELECT value FROM settings WHERE key = ?'),
  insertSetting: sql('insert-setting', 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),

  signingKeys: sql('signing-keys', 'SELECT kid, algorithm, public_jwk, sealed_private_jwk, created_at FROM signing_keys ORDER BY created_at, kid'),
  /** Instances starting together make one first key between them: the first to lock the table. */
  lockSigningKeys: postgresOnly('lock-signing-keys', 'LOCK TABLE signing_keys IN EXCLUSIVE MODE'),
  countSigningKeys: sql('count-signing-keys', 'SELECT COUNT(*) AS n FROM signing_keys'),
  insertSigningKey: sql('insert-signing-key', 'INSERT INTO signing_keys (kid, algorithm, public_jwk, sealed_private_jwk, created_at) VALUES (?, ?, ?, ?, ?)'),

  application: sql('application', 'SELECT client_id, tenant_id, object_id, display_name, secret_hash, created_at FROM applications WHERE client_id = ?'),
  insertApplication: sql(
    'insert-application',
    'INSERT INTO applications (client_id, tenant_id, object_id, display_name, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ),
  /** The applications whose service principal is a member of the publisher, with its role there (never the secret hash). */
  publisherApplications: sql(
    'publisher-applications',
    `SELECT a.client_id, a.tenant_id, a.object_id, a.display_name, a.created_at, m.role
       FROM members m JOIN applications a ON a.tenant_id = m.tenant_id AND a.object_id = m.object_id
      WHERE m.publisher_id = ? ORDER BY a.created_at, a.client_id`,
  ),
  /** The application a removal decides about, locked until the removal commits (two removals from two publishers see each other's). */
  applicationToRemove: sql('application-to-remove', 'SELECT tenant_id, object_id FROM applications WHERE client_id = ?', 'lock'),
  countMemberships: sql('count-memberships', 'SELECT COUNT(*) AS n FROM members WHERE tenant_id = ? AND object_id = ?'),
  deleteApplication: sql('delete-application', 'DELETE FROM applications WHERE client_id = ?'),

  members: sql(
    'members',
    'SELECT publisher_id, tenant_id, object_id, role, display_name, created_at FROM members WHERE publisher_id = ? ORDER BY display_name, object_id',
  ),
  memberGrants: sql('member-grants', 'SELECT publisher_id, role FROM members WHERE tenant_id = ? AND object_id = ?'),
  /** Adds a member; returns a row only when it was not there (then `updateMember` changes it instead). */
  addMember: sql(
    'add-member',
    `INSERT INTO members (publisher_id, tenant_id, object_id, role, display_name, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (publisher_id, tenant_id, object_id) DO NOTHING RETURNING object_id`,
  ),
  updateMember: sql('update-member', 'UPDATE members SET role = ?, display_name = ? WHERE publisher_id = ? AND tenant_id = ? AND object_id = ?'),
  deleteMember: sql('delete-member', 'DELETE FROM members WHERE publisher_id = ? AND tenant_id = ? AND object_id = ?'),

  insertToken: sql(
    'insert-token',
    'INSERT INTO access_tokens (id, token_hash, description, created_at, expires_at, revoked_at, sandbox_admin) VALUES (?, ?, ?, ?, ?, NULL, ?)',
  ),
  insertGrant: sql('insert-grant', 'INSERT INTO token_grants (token_id, publisher_id, role) VALUES (?, ?, ?)'),
  /** A token that is not revoked, one row per grant; whether it has expired, the authenticator decides. */
  principal: sql(
    'principal',
    `SELECT t.id, t.description, t.expires_at, t.sandbox_admin, g.publisher_id, g.role FROM ${TOKENS_WITH_GRANTS} WHERE t.token_hash = ? AND t.revoked_at IS NULL`,
  ),
  tokens: sql(
    'tokens',
    `SELECT t.id, t.token_hash, t.description, t.created_at, t.expires_at, t.sandbox_admin, g.publisher_id, g.role
       FROM ${TOKENS_WITH_GRANTS} WHERE t.revoked_at IS NULL ORDER BY t.id, g.publisher_id`,
  ),
};

export interface PrincipalRow {
  id: string;
  description: string;
  expires_at: string | null;
  sandbox_admin: number;
  publisher_id: string | null;
  role: string | null;
}
