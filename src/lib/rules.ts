/**
 * Every business rule a 422 can name (RuleViolationError's `rule`, the problem's `rule` and its type
 * `/problems/rule/<rule>`). One list, so a new rule cannot be raised without being added here, and
 * tests/unit/vocabulary.test.ts fails until src/web/lib/vocabulary.js explains it in both languages: the web
 * app shows that explanation to the person whose write was refused.
 */
export const RULE_NAMES = [
  'blocked-lot',
  'certificate-already-confirmed',
  'certificate-validity',
  'chronology',
  'code-voided',
  'custody',
  'device-session-not-allowed',
  'first-member-is-owner',
  'gi-authorisation',
  'gi-region',
  'gi-species',
  'graph-too-large',
  'gs1-lot-number',
  'gtin-product-only',
  'idempotency-key-reused',
  'in-transit',
  'insufficient-quantity',
  'last-owner',
  'mass-balance',
  'member-deactivated',
  'no-enrolment',
  'no-material-from-nowhere',
  'not-a-lab',
  'password-policy',
  'quantity-precision',
  'reset-self',
  'ship-to-self',
  'shipment-closed',
  'site-ownership',
  'species-mismatch',
  'stage-order',
  'status-transition',
  'totp-code-wrong',
  'transformation-too-large',
  'unit-codes-product-only',
  'unit-mismatch',
] as const;

export type RuleName = (typeof RULE_NAMES)[number];
