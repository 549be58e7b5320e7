import { Type, type Static } from 'typebox';
import { Timestamp } from '../../lib/schemas.js';

const RoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('recorder'), Type.Literal('viewer')], { description: 'owner | recorder | viewer' });

export const Login = Type.String({
  minLength: 3,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$',
  description: 'Letters, digits and . _ @ - (unique without regard to case)',
  examples: ['wang.fang'],
});
// Long enough for any password the policy takes (128 characters of up to 4 bytes); longer is refused before hashing.
const Password = Type.String({ minLength: 1, maxLength: 1024, description: '8–128 characters; checked against the common-password list' });
const Phone = Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,19}$', description: 'Optional phone number', examples: ['+86 139 4390 0000'] });

export const CreateUserBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, examples: ['王芳'] }),
    login: Login,
    role: RoleSchema,
    phone: Type.Optional(Phone),
  },
  { $id: 'CreateUser', additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    role: Type.Optional(RoleSchema),
  },
  { $id: 'UpdateUser', additionalProperties: false },
);

export const User = Type.Object(
  {
    id: Type.String({ examples: ['usr_3k9d8s7a6f5g4h2j'] }),
    organizationId: Type.String(),
    login: Type.String(),
    name: Type.String(),
    phone: Type.Union([Type.String(), Type.Null()]),
    role: RoleSchema,
    status: Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('deactivated')], {
      description: 'pending: setup code issued, no password yet',
    }),
    twoFactor: Type.Object({ enabled: Type.Boolean(), required: Type.Boolean() }),
    createdAt: Timestamp,
    deactivatedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'User' },
);

export const UserWithSetupCode = Type.Object(
  {
    user: Type.Ref('User'),
    setupCode: Type.Union([Type.String(), Type.Null()], {
      description: 'Shown only in this answer (null in an idempotent replay): give it to the person, who enters it with their login',
      examples: ['K7QM-2XPD-9RWT-HB4N'],
    }),
    setupCodeExpiresAt: Timestamp,
  },
  { $id: 'UserWithSetupCode' },
);

export const SessionSchema = Type.Object(
  {
    id: Type.String({ examples: ['ses_0a9s8d7f6g5h4j3k'] }),
    kind: Type.Union([Type.Literal('office'), Type.Literal('device')], { description: 'office: short idle timeout; device: a phone kept signed in' }),
    method: Type.String({ description: 'How the person signed in, e.g. password+totp' }),
    createdAt: Timestamp,
    lastSeenAt: Timestamp,
    idleExpiresAt: Timestamp,
    expiresAt: Timestamp,
    userAgent: Type.Union([Type.String(), Type.Null()]),
    address: Type.Union([Type.String(), Type.Null()]),
    current: Type.Boolean(),
  },
  { $id: 'Session' },
);

export const SignedIn = Type.Object(
  {
    user: Type.Ref('User'),
    organization: Type.Object({ id: Type.String(), name: Type.String(), kinds: Type.Array(Type.String()) }),
    session: Type.Ref('Session'),
    twoFactorEnrolmentRequired: Type.Boolean({ description: 'true: this session may only enrol TOTP (POST /v1/auth/totp) until it is done' }),
    csrfToken: Type.String({ description: 'Send as the x-csrf-token header on every write made with the session cookie' }),
  },
  { $id: 'SignedIn' },
);

export const SetupBody = Type.Object(
  {
    login: Login,
    setupCode: Type.String({ minLength: 1, maxLength: 64 }),
    password: Password,
    remember: Type.Optional(Type.Boolean({ description: 'Keep this device signed in (recorders and viewers; a device session)' })),
  },
  { additionalProperties: false },
);
export type SetupInput = Static<typeof SetupBody>;

export const LoginBody = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 64 }),
    password: Password,
    totp: Type.Optional(Type.String({ minLength: 1, maxLength: 16, description: 'The 6-digit code of the authenticator app' })),
    recoveryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'A single-use recovery code instead of the TOTP code' })),
    remember: Type.Optional(Type.Boolean({ description: 'Keep this device signed in (recorders and viewers; a device session)' })),
  },
  { additionalProperties: false },
);

export const TotpEnrolment = Type.Object({
  secret: Type.String({ description: 'Base32 seed, for typing into an app that cannot scan' }),
  uri: Type.String({ description: 'otpauth:// URI' }),
  qrSvg: Type.String({ description: 'The URI as a QR code (SVG) to scan with the authenticator app' }),
});

export const TotpConfirmBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 16 }) }, { additionalProperties: false });

export const TotpConfirmed = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Ten single-use codes, shown only now: each signs in once instead of a TOTP code' }),
  signedIn: Type.Ref('SignedIn'),
});

export const PasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });

export const SecurityEvent = Type.Object(
  {
    id: Type.String(),
    at: Timestamp,
    kind: Type.String({ description: 'login, login-failed, login-throttled, setup, setup-failed, totp-failed, csrf-refused, session-refused, forbidden, not-found, member-created, …' }),
    userId: Type.Union([Type.String(), Type.Null()]),
    login: Type.Union([Type.String(), Type.Null()]),
    address: Type.Union([Type.String(), Type.Null()]),
    detail: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'SecurityEvent' },
);

export const SecurityEventQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'The nextBefore of the previous page' })),
  },
  { additionalProperties: false },
);

export const UserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), userId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const SessionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const peopleSchemas = [CreateUserBody, UpdateUserBody, User, UserWithSetupCode, SessionSchema, SignedIn, SecurityEvent];
