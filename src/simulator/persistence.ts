/**
 * The state file (`--state FILE`): the tenant saved as JSON after every request that changed it, so a
 * restarted simulator carries on where the last one stopped (requests mid-approval complete, ids stay
 * unique). The catalog is not saved: it is rebuilt from the seed, which is why a file only fits the
 * seed and catalog sizes that wrote it.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { ISC_REQUEST_STATES } from '../common/isc-states';
import { ACCESS_SOURCES, type CatalogSizes, type Holding, ITEM_TYPES } from './catalog';
import { applyConfigPatch, defaultConfig, simulatorConfigPatchSchema } from './config';
import { type EngineSnapshot, type SavedEvent, type SavedRow } from './engine';
import { type Scheduled } from './heap';
import { type DirectorySnapshot, type SimIdentity } from './identities';
import { type Approval, type Phase, PROVISIONING_OUTCOMES, STAGES } from './model';
import { STREAM_NAMES, type StreamPositions } from './prng';
import { type SimulatorState, type StateSaver, type TenantSnapshot } from './state';

const FORMAT = 'iscflow-simulator-state';
const VERSION = 1;

/** Why a state file could not be used; start-up stops with the message. */
export type StateFileProblem = 'STATE_FILE_UNREADABLE' | 'STATE_FILE_CORRUPT' | 'STATE_FILE_MISMATCH';

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  constructor(
    readonly code: StateFileProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const text = z.string();
const nullableText = z.string().nullable();
const epochMs = z.number().finite();

const attributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const identitySchema: z.ZodType<SimIdentity> = z.object({
  id: text,
  name: text,
  managerId: nullableText,
  attributes: attributesSchema,
  created: epochMs,
  modified: epochMs,
  createdAtRunTime: z.boolean(),
});

const directorySchema: z.ZodType<DirectorySnapshot> = z.object({
  created: z.array(identitySchema),
  changed: z.array(z.object({ id: text, attributes: attributesSchema, modified: epochMs })),
});

const holdingSchema: z.ZodType<Holding> = z.object({
  type: z.enum(ITEM_TYPES),
  id: text,
  removeDate: nullableText,
  source: z.enum(ACCESS_SOURCES),
  grantedBy: nullableText,
});

const messageSchema = z.object({ locale: text, localeOrigin: z.literal('DEFAULT'), text });

const phaseSchema: z.ZodType<Phase> = z.object({
  name: z.enum(['APPROVAL_PHASE', 'PROVISIONING_PHASE']),
  state: z.enum(['PENDING', 'EXECUTING', 'COMPLETED', 'CANCELLED', 'NOT_EXECUTED']),
  result: z.enum(['SUCCESSFUL', 'FAILED']).nullable(),
  started: text,
  finished: nullableText,
  phaseReference: nullableText,
});

const approvalSchema: z.ZodType<Approval> = z.object({
  id: text,
  status: z.enum(['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED']),
  ownerId: text,
  comment: nullableText,
  created: epochMs,
  modified: epochMs,
});

const rowSchema: z.ZodType<SavedRow> = z.object({
  seq: z.number().int().min(0),
  accessRequestId: text,
  accountActivityItemId: text,
  requestType: z.enum(['GRANT_ACCESS', 'REVOKE_ACCESS']),
  identityId: text,
  itemType: z.enum(ITEM_TYPES),
  itemId: text,
  itemName: text,
  requesterId: text,
  comment: nullableText,
  clientMetadata: z.record(z.string(), z.string()).nullable(),
  created: epochMs,
  modified: epochMs,
  removeDate: nullableText,
  startDate: nullableText,
  state: z.enum(ISC_REQUEST_STATES),
  stage: z.enum(STAGES),
  approval: approvalSchema.nullable(),
  phases: z.array(phaseSchema),
  errorMessages: z.array(z.array(messageSchema)).nullable(),
  cancelled: z.object({ comment: text, ownerId: text, modified: epochMs }).nullable(),
  outcome: z.enum(PROVISIONING_OUTCOMES),
  ignored: z.boolean(),
});

const eventSchema: z.ZodType<SavedEvent> = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['decide', 'startProvisioning', 'provisioned']), row: z.number().int().min(0) }),
  z.object({ kind: z.literal('expire'), identityId: text, key: text, removeDate: text }),
]);

const scheduledSchema: z.ZodType<Scheduled<SavedEvent>> = z.object({
  at: epochMs,
  seq: z.number().int().min(0),
  value: eventSchema,
});

const engineSchema: z.ZodType<EngineSnapshot> = z.object({
  seq: z.number().int().min(0),
  rows: z.array(rowSchema),
  pendingKeys: z.array(z.tuple([text, z.number().int().min(0)])),
  holdings: z.array(z.tuple([text, z.array(holdingSchema)])),
  scheduled: z.array(scheduledSchema),
  nextScheduleSeq: z.number().int().min(0),
});

const positionsSchema: z.ZodType<StreamPositions> = z.record(
  z.enum(STREAM_NAMES),
  z.number().int().min(0).max(0xffffffff),
);

const sizesSchema: z.ZodType<CatalogSizes> = z.object({
  identities: z.number().int(),
  roles: z.number().int(),
  accessProfiles: z.number().int(),
  entitlements: z.number().int(),
});

/** Read first, on its own: a file of another kind gets a plain answer, not a list of schema errors. */
const headerSchema = z.object({ format: z.literal(FORMAT), version: z.literal(VERSION) });

const fileSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  seed: z.number().int(),
  catalog: sizesSchema,
  savedAt: text,
  tenant: z.object({
    clockOffsetMs: z.number().finite(),
    random: positionsSchema,
    // A config is saved whole and read like POST /__sim/config, so a file never carries an unknown setting.
    config: simulatorConfigPatchSchema,
    identities: directorySchema,
    engine: engineSchema,
  }),
});

type SavedFile = z.infer<typeof fileSchema>;

function serialize(state: SimulatorState): string {
  const file: SavedFile = {
    format: FORMAT,
    version: VERSION,
    seed: state.seed,
    catalog: state.sizes,
    savedAt: new Date().toISOString(),
    tenant: state.snapshot(),
  };
  return JSON.stringify(file);
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The tenant saved in `file`, or undefined when there is no such file yet. */
function read(file: string, state: SimulatorState): TenantSnapshot | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(
      'STATE_FILE_UNREADABLE',
      `Cannot read the simulator state file ${file}: ${describe(error)}`,
      {
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new StateFileError(
      'STATE_FILE_CORRUPT',
      `The simulator state file ${file} is not valid JSON: ${describe(error)}`,
      {
        cause: error,
      },
    );
  }
  if (!headerSchema.safeParse(json).success) {
    throw new StateFileError(
      'STATE_FILE_CORRUPT',
      `The simulator state file ${file} is not a simulator state (format ${FORMAT}, version ${VERSION} expected).`,
    );
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const why = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || 'file'}: ${i.message}`)
      .join('; ');
    throw new StateFileError('STATE_FILE_CORRUPT', `The simulator state file ${file} is damaged (${why}).`);
  }
  const saved = parsed.data;
  const same =
    saved.seed === state.seed &&
    (Object.keys(state.sizes) as (keyof CatalogSizes)[]).every((k) => saved.catalog[k] === state.sizes[k]);
  if (!same) {
    throw new StateFileError(
      'STATE_FILE_MISMATCH',
      `The simulator state file ${file} was written by a simulator with seed ${saved.seed} and catalog ` +
        `${JSON.stringify(saved.catalog)}; this one has seed ${state.seed} and catalog ${JSON.stringify(state.sizes)}. ` +
        'The catalog is rebuilt from the seed, so the file fits only the seed and catalog that wrote it: ' +
        'start with those, or use another file.',
    );
  }
  return { ...saved.tenant, config: applyConfigPatch(defaultConfig(), saved.tenant.config) };
}

/** Write-then-rename in the same directory: a reader (or a crash) sees the old file or the new one, never half. */
const tempOf = (file: string): string => `${file}.${process.pid}.tmp`;

function writeNow(file: string, body: string): void {
  writeFileSync(tempOf(file), body);
  renameSync(tempOf(file), file);
}

/**
 * Saves the state to its file after changes. Writes are throttled (one write per `delayMs` however
 * many requests change things) and never overlap. No fsync: the brief is surviving a killed process,
 * and the kernel keeps a renamed file for the next reader; a power cut may lose the last writes.
 */
export class StateFile implements StateSaver {
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private saved: string;

  private constructor(
    readonly file: string,
    private readonly state: SimulatorState,
    private readonly delayMs: number,
    private readonly onError: (error: Error) => void,
  ) {
    this.saved = state.fingerprint();
  }

  /**
   * Restores `state` from `file` when it exists, else writes the fresh state to it at once (so a file
   * that cannot be written fails start-up, not the first request). Throws a {@link StateFileError}.
   */
  static open(
    file: string,
    state: SimulatorState,
    options: { delayMs?: number; onError: (error: Error) => void },
  ): StateFile {
    const saved = read(file, state);
    if (saved) {
      try {
        state.restore(saved);
      } catch (error) {
        throw new StateFileError(
          'STATE_FILE_CORRUPT',
          `The simulator state file ${file} does not fit together: ${describe(error)}`,
          { cause: error },
        );
      }
    } else {
      try {
        writeNow(file, serialize(state));
      } catch (error) {
        throw new StateFileError(
          'STATE_FILE_UNREADABLE',
          `Cannot write the simulator state file ${file}: ${describe(error)}`,
          { cause: error },
        );
      }
    }
    return new StateFile(file, state, options.delayMs ?? 25, options.onError);
  }

  /** After a request: schedules a write when the state changed since the last one. */
  changed(): void {
    if (this.timer !== undefined || this.state.fingerprint() === this.saved) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.enqueue();
    }, this.delayMs);
  }

  /** Writes whatever is not on disk yet and waits for it (close, reset). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.enqueue();
  }

  private enqueue(): Promise<void> {
    this.chain = this.chain.then(() => this.write());
    return this.chain;
  }

  private async write(): Promise<void> {
    const fingerprint = this.state.fingerprint();
    if (fingerprint === this.saved) return;
    // Taken synchronously: what is written is one consistent moment of the tenant.
    const body = serialize(this.state);
    try {
      await writeFile(tempOf(this.file), body);
      await rename(tempOf(this.file), this.file);
      this.saved = fingerprint;
    } catch (error) {
      this.onError(
        new StateFileError(
          'STATE_FILE_UNREADABLE',
          `Cannot write the simulator state file ${this.file}: ${describe(error)}`,
          {
            cause: error,
          },
        ),
      );
    }
  }
}
