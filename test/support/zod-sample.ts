// A value of a zod schema's output type, made from the schema itself: what a route would send.
// Leaves are chosen from a few candidates, the first the schema accepts.
import type { z } from 'zod';

const uuid = '00000000-0000-4000-8000-000000000000';
const textCandidates = [
  'Sample',
  uuid,
  '2026-01-05T10:00:00.000Z',
  '2026-01-05',
  '10:00',
  'someone@example.org',
  'https://example.org/',
  'SW2 1AA',
  '4857773457',
  '0',
  'a',
];

interface Definition {
  type: string;
  [key: string]: unknown;
}
const definitionOf = (schema: z.ZodType) => schema._zod.def as unknown as Definition;

function firstAccepted(schema: z.ZodType, candidates: unknown[]): unknown {
  return candidates.find((candidate) => schema.safeParse(candidate).success) ?? candidates[0];
}

/** A sample of what `schema` outputs, or undefined when it cannot make one. */
export function sampleOf(schema: z.ZodType, depth = 0): unknown {
  if (depth > 12) return undefined;
  const definition = definitionOf(schema);
  const inner = (key: string) => sampleOf(definition[key] as z.ZodType, depth + 1);
  switch (definition.type) {
    case 'string':
      return firstAccepted(schema, textCandidates);
    case 'number':
      return firstAccepted(schema, [1, 0, 60, 2026, -1, 0.5]);
    case 'boolean':
      return true;
    case 'date':
      return new Date('2026-01-05T10:00:00.000Z');
    case 'null':
      return null;
    case 'undefined':
    case 'void':
      return undefined;
    case 'any':
    case 'unknown':
      return 'Sample';
    case 'literal':
      return (definition.values as unknown[])[0];
    case 'enum':
      return Object.values(definition.entries as Record<string, unknown>)[0];
    case 'object': {
      const shape = definition.shape as Record<string, z.ZodType>;
      return Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, sampleOf(field, depth + 1)]));
    }
    case 'array':
      return [inner('element')];
    case 'tuple':
      return (definition.items as z.ZodType[]).map((item) => sampleOf(item, depth + 1));
    case 'record': {
      // A record keyed by an enum has every key.
      const keys =
        definitionOf(definition.keyType as z.ZodType).type === 'enum'
          ? Object.values(definitionOf(definition.keyType as z.ZodType).entries as Record<string, string>)
          : ['sample'];
      return Object.fromEntries(keys.map((key) => [key, inner('valueType')]));
    }
    case 'union':
      return sampleOf((definition.options as z.ZodType[])[0] as z.ZodType, depth + 1);
    case 'intersection':
      return { ...(inner('left') as object), ...(inner('right') as object) };
    case 'nullable':
    case 'optional':
    case 'nonoptional':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
      return inner('innerType');
    case 'pipe':
      return inner('out');
    case 'lazy':
      return sampleOf((definition.getter as () => z.ZodType)(), depth + 1);
    default:
      return undefined;
  }
}
