/** The store room's error. Codes: STORE_OPEN_FAILED, STORE_UNAVAILABLE, STORE_AUTH_FAILED, MIGRATION_FAILED, ... */
import { EngineError } from '../core/errors.js';

export class StoreError extends EngineError {}
