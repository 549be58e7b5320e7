/**
 * Who acts: the one type every service receives. The admin (the configured token) runs the installation;
 * an organisation actor acts for one organisation with a role, through an API key (machines) or, later, a
 * signed-in user. Events record exactly who: the organisation and the key or user.
 */
export type Role = 'owner' | 'recorder' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'recorder', 'viewer'];

export interface AdminActor {
  kind: 'admin';
}

export interface OrganizationActor {
  kind: 'organization';
  organizationId: string;
  organizationName: string;
  organizationKinds: string[];
  role: Role;
  /** The API key that authenticated the request, or null when a user did. */
  keyId: string | null;
  /** The signed-in user, or null for an API key. */
  userId: string | null;
}

export type Actor = AdminActor | OrganizationActor;

/** Which organisations may read everything (and act on any lot's status). */
export const isRegulatorOrg = (actor: Actor): actor is OrganizationActor =>
  actor.kind === 'organization' && actor.organizationKinds.includes('regulator');

/** The admin or a regulator: may read every lot, site and event. */
export const readsEverything = (actor: Actor): boolean => actor.kind === 'admin' || isRegulatorOrg(actor);
