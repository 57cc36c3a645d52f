import * as z from 'zod/mini';
import { copyJson, fieldsProblems, type FieldValues } from './fieldValues.js';

export * from './fieldValues.js';

/**
 * The `fields` of a stored record (and of inputs and patches, before the declaration is checked):
 * an object of JSON values whose names match {@link FIELD_NAME_PATTERN}, at most
 * {@link MAX_FIELDS} of them and {@link MAX_FIELDS_JSON_LENGTH} characters of JSON in all.
 */
export const FieldValuesSchema = z
  .custom<FieldValues>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'expected an object of custom field values by name',
  )
  .check(
    z.superRefine((fields: FieldValues, ctx) => {
      for (const { path, message } of fieldsProblems(fields)) ctx.issues.push({ code: 'custom', message, input: fields, path });
    }),
    z.overwrite((fields: FieldValues) => copyJson(fields)),
  );
