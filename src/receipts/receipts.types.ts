/** Types of the receipts room. The execution record is read loosely: the runner owns its shape. */

/** The parts of execution.json a receipt reads (everything else is ignored). */
export interface ExecutionRecordLike {
  id: string;
  tenant?: unknown;
  tenantId?: unknown;
  subject?: unknown;
  workflow?: unknown;
  status?: unknown;
  parameters?: unknown;
  createdAt?: string;
  publishedAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  tasks?: ReadonlyArray<TaskRecordLike>;
  sandbox?: unknown;
  seccomp?: unknown;
  apparmor?: unknown;
  cost?: unknown;
  policy?: unknown;
  packs?: unknown;
}

export interface TaskRecordLike {
  id: string;
  status?: unknown;
  exitCode?: unknown;
  startedAt?: unknown;
  finishedAt?: unknown;
  usage?: unknown;
  writes?: ReadonlyArray<object>;
}

/** One file of an execution directory, relative path with "/" separators. */
export interface ExecutionFile {
  path: string;
  absPath: string;
  size: number;
}

export interface DigestSet {
  sha256: string;
}

/** in-toto ResourceDescriptor (the subset we emit). */
export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest?: DigestSet;
  mediaType?: string;
  annotations?: Record<string, unknown>;
}

/** in-toto Statement v1 with a SLSA provenance v1 predicate. */
export interface ProvenanceStatement {
  _type: 'https://in-toto.io/Statement/v1';
  subject: Array<{ name: string; digest: DigestSet }>;
  predicateType: 'https://slsa.dev/provenance/v1';
  predicate: {
    buildDefinition: {
      buildType: string;
      externalParameters: Record<string, unknown>;
      internalParameters?: Record<string, unknown>;
      resolvedDependencies: ResourceDescriptor[];
    };
    runDetails: {
      builder: { id: string; version: Record<string, string> };
      metadata: { invocationId: string; startedOn?: string; finishedOn?: string };
      byproducts: ResourceDescriptor[];
    };
  };
}

/** What writeReceipt returns. */
export interface WriteReceiptResult {
  path: string;
  keyId: string;
  statementDigest: string;
  subjects: number;
}

/** One check of a verification, as printed by --json. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** What verifyReceipt returns (never throws for a bad receipt: a failed check is a result). */
export interface ReceiptVerification {
  ok: boolean;
  keyId: string | null;
  statement: ProvenanceStatement | null;
  checks: Check[];
}
