/**
 * The JSON Schema (draft 2020-12) of Manifest v1. It is the published contract (`maestro manifest
 * schema`) and the first validation pass; semantic checks (ids, needs, cycles, limits) follow it.
 * `x-message` is an annotation of ours: the human message used when a `pattern` does not match.
 */
import { RESOURCE_CLASSES, TASK_KINDS } from './manifest.types.js';

export const SCHEMA_ID = 'https://maestro.dev/schemas/manifest/v1.json';
export const MAX_TASKS = 200;

/** Task ids: a lowercase letter, then lowercase letters, digits, "_" or "-"; 63 characters at most. */
export const TASK_ID_PATTERN = '^[a-z][a-z0-9_-]{0,62}$';
export const ENV_NAME_PATTERN = '^[A-Z_][A-Z0-9_]*$';
/** metadata.name: a DNS label (RFC 1123): lowercase alphanumerics and "-", 63 characters at most. */
export const NAME_PATTERN = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';
/** Region codes are uppercase: US, EU, APAC, US-EAST... */
export const REGION_PATTERN = '^[A-Z][A-Z0-9-]{1,31}$';
export const LABEL_KEY_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9_./-]{0,61}[A-Za-z0-9])?$';

const resources = {
  type: 'object',
  description: 'What the task may use; the ceilings of spec.resourceClass apply to cpu and memoryMB.',
  additionalProperties: false,
  // Every field is optional: missing ones take DEFAULT_RESOURCES (normalize.ts).
  properties: {
    cpu: { type: 'number', exclusiveMinimum: 0, description: 'vCPUs (fractions allowed).' },
    memoryMB: { type: 'integer', minimum: 16, description: 'Memory ceiling in MiB.' },
    timeoutSec: { type: 'integer', minimum: 1, maximum: 86400, description: 'Wall-clock limit.' },
    tmpMB: { type: 'integer', minimum: 1, maximum: 4096, description: 'Size of the /tmp tmpfs (default 64).' },
    pids: { type: 'integer', minimum: 1, maximum: 32768, description: 'Process/thread limit (default 256).' },
    outMB: {
      type: 'integer',
      minimum: 1,
      maximum: 65536,
      description: 'Most MiB the task may leave under /out, enforced while it runs; also the largest single file (default 1024).',
    },
    fds: { type: 'integer', minimum: 16, maximum: 65536, description: 'Open file descriptor limit of the task (RLIMIT_NOFILE, default 1024).' },
    logMB: {
      type: 'integer',
      minimum: 1,
      maximum: 4096,
      description: 'Most MiB of output kept in the log; the rest is dropped and the cut marked (default 64).',
    },
    expectedSec: { type: 'number', minimum: 0, description: 'Expected duration, used by the cost estimator.' },
  },
} as const;

const task = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'uses', 'run'],
  properties: {
    id: {
      type: 'string',
      pattern: TASK_ID_PATTERN,
      'x-message': 'must start with a lowercase letter and use only a-z, 0-9, "_" and "-" (63 characters at most)',
    },
    uses: { enum: [...TASK_KINDS], description: 'Runner kind.' },
    run: { type: 'string', minLength: 1, description: 'Shell command, run with /bin/sh -c.' },
    needs: {
      type: 'array',
      items: { type: 'string' },
      uniqueItems: true,
      description: 'Ids of the tasks that must succeed first.',
    },
    env: {
      type: 'object',
      propertyNames: {
        pattern: ENV_NAME_PATTERN,
        'x-message': 'is not a valid environment variable name (use A-Z, 0-9 and "_", not starting with a digit)',
      },
      additionalProperties: { type: 'string' },
      description: 'Environment of the task; nothing else from the host leaks in.',
    },
    network: { type: 'boolean', description: 'Ask for network access (default: spec.network, else false).' },
    resources,
  },
} as const;

/** The Manifest v1 JSON Schema document. */
export const MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: SCHEMA_ID,
  title: 'Maestro Manifest v1',
  description: 'A workflow: a DAG of sandboxed shell tasks with a region, a resource class and an optional workspace.',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'maestro/v1' },
    kind: { const: 'Workflow' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: {
          type: 'string',
          maxLength: 63,
          pattern: NAME_PATTERN,
          'x-message': 'must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit',
        },
        labels: {
          type: 'object',
          propertyNames: {
            pattern: LABEL_KEY_PATTERN,
            'x-message': 'is not a valid label key (letters, digits, "_", ".", "/" and "-", 63 characters at most)',
          },
          additionalProperties: { type: 'string', maxLength: 256 },
        },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['region', 'resourceClass', 'tasks'],
      properties: {
        region: {
          type: 'string',
          pattern: REGION_PATTERN,
          'x-message': 'must be an uppercase region code such as US, EU or APAC',
        },
        resourceClass: { enum: [...RESOURCE_CLASSES] },
        workspace: {
          type: 'string',
          minLength: 1,
          pattern: '^[^/]',
          'x-message': 'must be a path relative to the manifest file (e.g. ./ws)',
          description: 'Folder mounted read-only at /workspace, relative to the manifest file.',
        },
        network: { type: 'boolean', description: 'Default network access of every task (default false).' },
        tasks: { type: 'array', minItems: 1, maxItems: MAX_TASKS, items: task },
      },
    },
  },
} as const;

/** Annotation keywords of ours that the validator must accept. */
export const SCHEMA_VOCABULARY = ['x-message'];
