/** What the store remembers of a scheduled job: who holds it now, and how its runs went. */
export interface JobState {
  job: string;
  /** The process running the job now, while its lease lasts. */
  holder?: string;
  leaseExpires?: Date;
  lastStarted?: Date;
  lastFinished?: Date;
  lastSuccess?: Date;
  lastFailure?: Date;
  lastError?: string;
  /** Duration of the last finished run, in milliseconds. */
  lastDurationMs?: number;
  runs: number;
  failures: number;
}

/**
 * Job leases and run history in the store, so that several warta processes on one store never
 * run the same job at once: a job runs only while its runner holds an unexpired lease, and a
 * crashed holder blocks the others only until its lease expires.
 */
export interface JobStateRepository {
  /** Takes the job's lease when it is free, expired or already ours; false when someone else holds it. */
  acquire(job: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Extends our lease; false when it was lost (expired and taken by another holder). */
  renew(job: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Gives the lease up and records how the run ended. */
  release(
    job: string,
    holder: string,
    run: { started: Date; finished: Date; error?: string },
  ): Promise<void>;
  all(): Promise<JobState[]>;
}
