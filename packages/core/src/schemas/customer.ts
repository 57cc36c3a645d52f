import * as z from 'zod/mini';
import {
  ChannelSchema,
  EmailSchema,
  ExternalIdsSchema,
  IdSchema,
  LocaleSchema,
  PhoneSchema,
  TimeOfDaySchema,
  TimeZoneSchema,
  TimestampSchema,
  list,
  pattern,
  rule,
  text,
} from './primitives.js';
import { recordMeta } from './record.js';
import { FieldValuesSchema } from './fields.js';

/** Where a customer stands: a `prospect` not yet buying, a `customer`, or a `former` customer. */
export const CustomerKindSchema = z.enum(['prospect', 'customer', 'former']);

/** Whether a postal address is known to reach the customer. `returned` means mail came back. */
export const AddressStatusSchema = z.enum(['valid', 'unconfirmed', 'returned']);

/** A postal address as given by a caller; `id` is assigned when missing. */
export const AddressInputSchema = z.strictObject({
  id: z.optional(IdSchema),
  label: z.optional(text(64, 1)),
  lines: list(text(200, 1), 5).check(rule((lines: string[]) => lines.length > 0, 'must have at least one line', 'too_small')),
  city: z.optional(text(100, 1)),
  region: z.optional(text(100, 1)),
  postalCode: z.optional(text(20, 1)),
  country: z.optional(pattern(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code such as "IT"')),
  status: z._default(AddressStatusSchema, 'unconfirmed'),
  /** When the customer last confirmed this address. */
  confirmedAt: z.optional(TimestampSchema),
});

/** When and how a customer wants (not) to be contacted. */
export const ContactPreferencesSchema = z.strictObject({
  /** Channels the customer opted out of: no outbound contact through them. */
  optedOutChannels: z._default(list(ChannelSchema, 9), []),
  /** Local hours (in the customer's `timeZone`) when the customer must not be contacted. */
  quietHours: z.optional(z.strictObject({ start: TimeOfDaySchema, end: TimeOfDaySchema })),
});

/** Customer fields a caller sets, without defaults (shared by create and patch). */
const customerFields = {
  kind: CustomerKindSchema,
  name: text(200, 1),
  emails: list(EmailSchema, 20),
  phones: list(PhoneSchema, 20),
  company: text(200, 1),
  addresses: list(AddressInputSchema, 20),
  locale: LocaleSchema,
  timeZone: TimeZoneSchema,
  ownerId: IdSchema,
  tags: list(text(64, 1), 100),
  contactPreferences: ContactPreferencesSchema,
  externalIds: ExternalIdsSchema,
  notBuyingReason: text(1000, 1),
};

/**
 * What a caller passes to `crm.customers.create`. Unknown fields are rejected.
 *
 * @example
 * ```ts
 * CustomerInputSchema.parse({ name: 'Lin Mei', emails: ['mei@example.tw'], locale: 'zh-TW' })
 * ```
 */
export const CustomerInputSchema = z.strictObject({
  kind: z._default(customerFields.kind, 'customer'),
  name: customerFields.name,
  emails: z._default(customerFields.emails, []),
  phones: z._default(customerFields.phones, []),
  company: z.optional(customerFields.company),
  addresses: z._default(customerFields.addresses, []),
  locale: z.optional(customerFields.locale),
  timeZone: z.optional(customerFields.timeZone),
  ownerId: z.optional(customerFields.ownerId),
  tags: z._default(customerFields.tags, []),
  contactPreferences: z.optional(customerFields.contactPreferences),
  externalIds: z._default(customerFields.externalIds, {}),
  /** Why a prospect or former customer is not buying. */
  notBuyingReason: z.optional(customerFields.notBuyingReason),
  /** The host app's own fields, as declared with `createCrm({ fields: { customers } })`. */
  fields: z.optional(FieldValuesSchema),
});

/**
 * What a caller passes to `crm.customers.update`: any subset of the input fields. A missing
 * field is left unchanged; `null` clears an optional field. Arrays replace the stored array.
 */
export const CustomerPatchSchema = z.strictObject({
  kind: z.optional(customerFields.kind),
  name: z.optional(customerFields.name),
  emails: z.optional(customerFields.emails),
  phones: z.optional(customerFields.phones),
  company: z.optional(z.nullable(customerFields.company)),
  addresses: z.optional(customerFields.addresses),
  locale: z.optional(z.nullable(customerFields.locale)),
  timeZone: z.optional(z.nullable(customerFields.timeZone)),
  ownerId: z.optional(z.nullable(customerFields.ownerId)),
  tags: z.optional(customerFields.tags),
  contactPreferences: z.optional(z.nullable(customerFields.contactPreferences)),
  externalIds: z.optional(customerFields.externalIds),
  notBuyingReason: z.optional(z.nullable(customerFields.notBuyingReason)),
  /** Merged into the stored fields key by key; a key set to `null` is removed. */
  fields: z.optional(FieldValuesSchema),
});

/** A stored postal address: always has an `id` and a `status`. */
export const AddressSchema = /* @__PURE__ */ (() => z.strictObject({ ...AddressInputSchema.def.shape, id: IdSchema }))();

/** A stored customer (or prospect, or former customer). */
export const CustomerSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    ...recordMeta,
    ...CustomerInputSchema.def.shape,
    addresses: list(AddressSchema, 20),
  }))();

/** Input to `crm.customers.create`. */
export type CustomerInput = z.input<typeof CustomerInputSchema>;
/** Input to `crm.customers.update`. */
export type CustomerPatch = z.input<typeof CustomerPatchSchema>;
/** A stored customer record. */
export type Customer = z.output<typeof CustomerSchema>;
/** A stored postal address. */
export type Address = z.output<typeof AddressSchema>;
/** `prospect` | `customer` | `former`. */
export type CustomerKind = z.output<typeof CustomerKindSchema>;
/** Contact preferences of a customer. */
export type ContactPreferences = z.output<typeof ContactPreferencesSchema>;
