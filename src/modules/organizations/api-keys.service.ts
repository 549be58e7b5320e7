import type { Database } from '../../db/client.js';
import { NotFoundError } from '../../lib/errors.js';
import { digestsEqual, sha256Hex } from '../../lib/hash.js';
import { newId, newSecret } from '../../lib/ids.js';
import type { Actor, Role } from '../../access/actor.js';
import * as repo from './api-keys.repository.js';
import { findOrganizationById } from './organizations.repository.js';
import type { ApiKeyView } from './organizations.schemas.js';

/** `key_<16 id chars>.<32 secret chars>`: the id part finds the row, the secret part is checked by hash. */
export const API_KEY_PATTERN = /^key_[0-9a-z]{16}\.[0-9A-Za-z]{32}$/;

export async function createApiKey(db: Database, organizationId: string, input: { name?: string | undefined; role?: Role | undefined }) {
  return db.transaction(async (tx) => {
    if (!(await findOrganizationById(tx, organizationId))) throw new NotFoundError(`No organisation ${organizationId}.`);
    const id = newId('key');
    const secret = newSecret();
    // The secret has ~190 bits of entropy, so a plain SHA-256 is enough: there is nothing to brute-force.
    const row = await repo.insertApiKey(tx, { id, organizationId, name: input.name ?? null, role: input.role ?? 'owner', secretHash: sha256Hex(secret) });
    return { ...toView(row), revokedAt: null, key: `${id}.${secret}` };
  });
}

export async function listApiKeys(db: Database, organizationId: string): Promise<{ items: ApiKeyView[] }> {
  if (!(await findOrganizationById(db, organizationId))) throw new NotFoundError(`No organisation ${organizationId}.`);
  return { items: (await repo.listApiKeys(db, organizationId)).map(toView) };
}

export async function revokeApiKey(db: Database, organizationId: string, keyId: string): Promise<ApiKeyView> {
  const row = await repo.revokeApiKey(db, organizationId, keyId);
  if (!row) throw new NotFoundError(`No API key ${keyId} for organisation ${organizationId}.`);
  return toView(row);
}

export async function authenticateApiKey(db: Database, key: string): Promise<Actor | null> {
  const [keyId, secret] = key.split('.') as [string, string];
  const row = await repo.findActiveKeyWithOrganization(db, keyId);
  if (!row || !digestsEqual(row.secretHash, sha256Hex(secret))) return null;
  return {
    kind: 'organization',
    organizationId: row.organizationId,
    organizationName: row.organizationName,
    organizationKinds: row.kinds,
    role: row.role as Role,
    keyId: row.id,
    userId: null,
  };
}

function toView(row: repo.ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    organizationId: row.organizationId,
    name: row.name,
    role: row.role as Role,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
  };
}
