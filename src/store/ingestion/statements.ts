/**
 * SQL of configure jobs (the product-ingestion face), one text for both backends. The lease rule
 * is the workflow's (D36): a job that has not ended and is not handed to the workflow engine is
 * claimable when nobody holds a live lease on it; an instance that dies mid-job stops renewing,
 * and once its lease expired the job is claimable again. Ending a job requires holding it.
 */
import { sql } from '../sql/statement.ts';

export const JOB_COLUMNS =
  'id, publisher_id, offer_id, status, result, request_json, errors_json, detail_json, job_start, job_end, created_ms, lease_owner, lease_expires_ms, operation_id';

const CLAIMABLE = "status <> 'completed' AND operation_id IS NULL AND (lease_expires_ms IS NULL OR lease_expires_ms <= ?)";

export const ingestionSql = {
  insertJob: sql(
    'insert-ingestion-job',
    `INSERT INTO ingestion_jobs (${JOB_COLUMNS}) VALUES (?, ?, ?, 'notStarted', 'pending', ?, '[]', NULL, ?, NULL, ?, NULL, NULL, NULL)`,
  ),
  job: sql('ingestion-job', `SELECT ${JOB_COLUMNS} FROM ingestion_jobs WHERE id = ?`),
  lockJob: sql('lock-ingestion-job', `SELECT ${JOB_COLUMNS} FROM ingestion_jobs WHERE id = ?`, 'lock'),
  /** Whether any job waits: a plain read, so that an idle runner's poll takes no lock and opens no transaction. */
  anyDueJob: sql('any-due-ingestion-job', `SELECT id FROM ingestion_jobs WHERE ${CLAIMABLE} LIMIT 1`),
  dueJob: sql('due-ingestion-job', `SELECT id FROM ingestion_jobs WHERE ${CLAIMABLE} ORDER BY created_ms LIMIT 1`, 'skip-locked'),
  takeJob: sql('take-ingestion-job', `UPDATE ingestion_jobs SET status = 'running', lease_owner = ?, lease_expires_ms = ? WHERE id = ? AND ${CLAIMABLE}`),
  /** The job's changes are applied: it ended (a draft job), or it runs on as a workflow operation (a submission). */
  finishJob: sql(
    'finish-ingestion-job',
    `UPDATE ingestion_jobs SET status = ?, result = ?, errors_json = ?, detail_json = ?, job_end = ?, offer_id = COALESCE(?, offer_id), operation_id = ?,
            lease_owner = NULL, lease_expires_ms = NULL
      WHERE id = ? AND lease_owner = ? AND status <> 'completed'`,
  ),
  cancelJob: sql(
    'cancel-ingestion-job',
    `UPDATE ingestion_jobs SET status = 'completed', result = 'cancelled', job_end = ?, lease_owner = NULL, lease_expires_ms = NULL
      WHERE id = ? AND status <> 'completed' AND operation_id IS NULL`,
  ),
  releaseJobs: sql('release-ingestion-jobs', 'UPDATE ingestion_jobs SET lease_owner = NULL, lease_expires_ms = NULL WHERE lease_owner = ?'),
  jobsOfOperation: sql('ingestion-jobs-of-operation', `SELECT ${JOB_COLUMNS} FROM ingestion_jobs WHERE operation_id = ?`),
};

export interface JobRow {
  id: string;
  publisher_id: string;
  offer_id: string | null;
  status: string;
  result: string;
  request_json: string;
  errors_json: string;
  detail_json: string | null;
  job_start: string;
  job_end: string | null;
  created_ms: number;
  lease_owner: string | null;
  lease_expires_ms: number | null;
  operation_id: string | null;
}
