/**
 * `@crm/core`: the CRM domain for TypeScript — customers, touchpoints, complaints with their
 * activity log, a store contract with an in-memory store, and typed events.
 *
 * @packageDocumentation
 */
export {
  createCrm,
  type Crm,
  type TypedCrm,
  type UntypedCrm,
  type CrmOptions,
  type CrmEventHandler,
  type CrmRecord,
  type CrmCustomerInput,
  type CrmCustomerPatch,
  type CrmTouchpointInput,
  type CrmComplaintInput,
  type CrmListQuery,
  type CrmFieldsPatch,
} from './crm.js';
export * from './errors/index.js';
export * from './schemas/index.js';
export type { CrmEvents, CrmEventName, EventMeta, SlaEvent, SlaTarget } from './events/events.js';
export type { ChangeListener } from './events/feed.js';
export { systemClock, manualClock, type Clock, type ManualClock } from './clock/clock.js';
export { ulidGenerator, ulidTime, type IdGenerator, type RandomSource } from './ids/ulid.js';
export { memoryStore, type MemoryStoreOptions } from './store/memoryStore.js';
export type * from './store/types.js';
// The checks, cursors and page builders store authors share are on the `@crm/core/store` subpath.
export type { CustomerService, CustomerOverview, StaleQuery, StaleCustomer } from './services/customers.js';
export type { TouchpointService } from './services/touchpoints.js';
export {
  COMPLAINT_TRANSITIONS,
  RespondInputSchema,
  AssignOptionsSchema,
  SetStatusOptionsSchema,
  ResolveOptionsSchema,
  ReopenOptionsSchema,
  SetPriorityOptionsSchema,
  RateOptionsSchema,
  NoteOptionsSchema,
  type ComplaintService,
  type RespondInput,
  type AssignOptions,
  type SetStatusOptions,
  type ResolveOptions,
  type ReopenOptions,
} from './services/complaints.js';
export type { HistoryFn } from './services/history.js';
export {
  SuggestionQuerySchema,
  AcceptSuggestionSchema,
  DismissSuggestionSchema,
  type ComplaintSuggestions,
  type SignalsOptions,
  type SuggestionQuery,
  type AcceptSuggestionOptions,
  type DismissSuggestionOptions,
} from './services/suggestions.js';
// Types only: the lexicon classifier itself is on the `@crm/core/signals` subpath.
export type { SignalClassifier, SignalText, SignalVerdict } from './signals/types.js';
export type { WriteOptions } from './services/context.js';
export type { SetFieldsOptions } from './services/complaints.js';
export {
  fieldRegistry,
  fieldLabel,
  fieldsService,
  describeFields,
  fieldCatalog,
  isStandardSchema,
  type FieldRegistry,
  type FieldCatalog,
  type FieldsDeclaration,
  type EntityFieldsDeclaration,
  type FieldSpec,
  type FieldDefinition,
  type FieldRemoteNames,
  type FieldType,
  type DeclaredField,
  type FieldValuesOf,
  type FieldInputsOf,
  type FieldPatchOf,
  type FieldFilterOf,
  type SchemaOf,
  type FieldsService,
  type FieldAuditItem,
  type StandardSchemaV1,
} from './fields/index.js';
export {
  CustomerQuerySchema,
  TouchpointQuerySchema,
  ComplaintQuerySchema,
  HistoryQuerySchema,
  type CustomerQuery,
  type TouchpointQuery,
  type ComplaintQuery,
  type CrmHistoryQuery,
} from './services/query.js';
export { businessCalendar, MAX_BUSINESS_MINUTES, type BusinessCalendar, type Instant } from './calendar/calendar.js';
export type { SlaService } from './services/sla.js';
export type { ContactPolicyService } from './services/contactPolicy.js';
export type { ContactCheck, ContactRule } from './policy/contactPolicy.js';
export {
  defaultRouting,
  localeFallbacks,
  languageScore,
  type RoutingFunction,
  type RoutingRequest,
  type RoutingDecision,
} from './services/routing.js';
export type { SlaStatus, SlaTargetStatus, SlaState } from './sla/engine.js';
export {
  complaintCounts,
  healthOf,
  AtRiskQuerySchema,
  KpiTargetsSchema,
  KpiQuerySchema,
  KPI_NAMES,
  type Analytics,
  type ComplaintCounts,
  type AtRiskQuery,
  type CustomerHealth,
  type HealthReason,
  type Kpi,
  type KpiName,
  type KpiQuery,
  type KpiReport,
  type KpiSet,
  type KpiTargetsInput,
} from './analytics/index.js';
// Live observers with stable snapshots, and batched notifications (see README, "Observers").
export * from './observe/index.js';
