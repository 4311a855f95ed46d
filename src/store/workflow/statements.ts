/**
 * SQL of the publishing workflow — operations, their steps, and the step leases — one text for
 * both backends.
 *
 * The lease rule (D36) is written here once. A step is claimable when it is in progress, its work
 * is due, and nobody holds a live lease on it: `CLAIMABLE`. Whoever claims it holds it until
 * `now + lease`; an instance that dies mid-step simply stops renewing, and once its lease has
 * expired the step is claimable again — that is the takeover. Finishing a step requires still
 * holding the lease (`heldStep`), so an instance that lost its lease cannot end a step another
 * has taken over.
 */
import { OPERATION_COLUMNS } from '../rows.ts';
import { sql } from '../sql/statement.ts';

const CLAIMABLE = "status = 'inProgress' AND due_ms <= ? AND (lease_expires_ms IS NULL OR lease_expires_ms <= ?)";
const OPERATIONS_WITH_OFFER = 'operations o JOIN offers f ON f.publisher_id = o.publisher_id AND f.id = o.offer_id';
const STEP_COLUMNS = 'operation_id, position, step_id, status, progress, messages_json, started_time, due_ms';
/**
 * Found from the newest end, however long the history: by operations_by_offer_type, or by
 * operations_by_offer reading back only as far as the latest publish.
 */
const LATEST_PUBLISH_TIME =
  "SELECT p.created_time FROM operations p WHERE p.publisher_id = ? AND p.offer_id = ? AND p.type = 'publish' ORDER BY p.created_time DESC LIMIT 1";

export const workflowSql = {
  operationById: sql('operation-by-id', `SELECT ${OPERATION_COLUMNS} FROM ${OPERATIONS_WITH_OFFER} WHERE o.id = ?`),
  operation: sql('operation', `SELECT ${OPERATION_COLUMNS} FROM ${OPERATIONS_WITH_OFFER} WHERE o.publisher_id = ? AND o.offer_id = ? AND o.id = ?`),
  operations: sql(
    'operations',
    `SELECT ${OPERATION_COLUMNS} FROM ${OPERATIONS_WITH_OFFER} WHERE o.publisher_id = ? AND o.offer_id = ? ORDER BY o.created_time, o.id`,
  ),
  /** Newest first, without steps: the submissions list, read in one statement whatever the filter. */
  submissions: sql(
    'submissions',
    `SELECT ${OPERATION_COLUMNS} FROM ${OPERATIONS_WITH_OFFER} WHERE o.publisher_id = ? AND o.offer_id = ? ORDER BY o.created_time DESC, o.id DESC`,
  ),
  submissionsInState: sql(
    'submissions-in-state',
    `SELECT ${OPERATION_COLUMNS} FROM ${OPERATIONS_WITH_OFFER}
      WHERE o.publisher_id = ? AND o.offer_id = ? AND o.status = ? ORDER BY o.created_time DESC, o.id DESC`,
  ),
  /** The blocked steps of the submissions listed (those of failed operations: their errors' words). */
  blockedSteps: sql(
    'blocked-steps',
    `SELECT s.operation_id, s.position, s.step_id, s.status, s.progress, s.messages_json, s.started_time, s.due_ms
       FROM operation_steps s JOIN operations o ON o.id = s.operation_id
      WHERE o.publisher_id = ? AND o.offer_id = ? AND o.status = 'failed' AND s.status = 'blocked' ORDER BY s.operation_id, s.position`,
  ),
  /** The latest publish and every operation after it, oldest first: all the offer's status shows. */
  sinceLatestPublish: sql(
    'since-latest-publish',
    `SELECT ${OPERATION_COLUMNS} FROM ${OPERATIONS_WITH_OFFER}
      WHERE o.publisher_id = ? AND o.offer_id = ? AND o.created_time >= (${LATEST_PUBLISH_TIME}) ORDER BY o.created_time, o.id`,
  ),
  /**
   * Ordered as operations_by_offer is (D108): the planner then reads the operations by it, never by
   * operations_by_offer_state, which would read every operation the offer ever had.
   */
  stepsSinceLatestPublish: sql(
    'steps-since-latest-publish',
    `SELECT s.operation_id, s.position, s.step_id, s.status, s.progress, s.messages_json, s.started_time, s.due_ms
       FROM operation_steps s JOIN operations o ON o.id = s.operation_id
      WHERE o.publisher_id = ? AND o.offer_id = ? AND o.created_time >= (${LATEST_PUBLISH_TIME}) ORDER BY o.created_time, o.id, s.position`,
  ),
  /** The newest operation of a type that published a given version (the legacy operation id names it so). */
  operationOfVersion: sql(
    'operation-of-version',
    `SELECT ${OPERATION_COLUMNS} FROM ${OPERATIONS_WITH_OFFER}
      WHERE o.publisher_id = ? AND o.offer_id = ? AND o.type = ? AND o.publishing_version = ? ORDER BY o.created_time DESC, o.id DESC LIMIT 1`,
  ),
  draftEtag: sql('operation-draft-etag', 'SELECT draft_etag FROM operations WHERE id = ?'),
  insertOperation: sql(
    'insert-operation',
    `INSERT INTO operations (id, publisher_id, offer_id, type, status, publishing_version, offer_version, slot, notification_emails, draft_etag,
                             target_operation_id, error, created_time, changed_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  endOperation: sql('end-operation', "UPDATE operations SET status = ?, error = ?, changed_time = ? WHERE id = ? AND status = 'running'"),
  touchOperation: sql('touch-operation', 'UPDATE operations SET changed_time = ? WHERE id = ?'),

  /** An operation starts on an offer only while nothing else runs on it. */
  startOperationOnOffer: sql(
    'start-operation-on-offer',
    `UPDATE offers SET status = 'running', running_operation_id = ?, version = ?, etag = ?, changed_time = ?, notification_emails = ?
      WHERE publisher_id = ? AND id = ? AND running_operation_id IS NULL`,
  ),
  endOperationOnOffer: sql(
    'end-operation-on-offer',
    `UPDATE offers SET status = ?, running_operation_id = NULL, changed_time = ?, etag = ?,
            preview_version = COALESCE(?, preview_version), production_version = COALESCE(?, production_version)
      WHERE publisher_id = ? AND id = ? AND running_operation_id = ?`,
  ),
  handOverOffer: sql(
    'hand-over-offer',
    'UPDATE offers SET running_operation_id = ?, changed_time = ?, etag = ? WHERE publisher_id = ? AND id = ? AND running_operation_id = ?',
  ),

  steps: sql('steps-of', `SELECT ${STEP_COLUMNS} FROM operation_steps WHERE operation_id = ? ORDER BY position`),
  stepsOfOffer: sql(
    'steps-of-offer',
    `SELECT s.operation_id, s.position, s.step_id, s.status, s.progress, s.messages_json, s.started_time, s.due_ms
       FROM operation_steps s JOIN operations o ON o.id = s.operation_id
      WHERE o.publisher_id = ? AND o.offer_id = ? ORDER BY s.operation_id, s.position`,
  ),
  insertStep: sql(
    'insert-step',
    `INSERT INTO operation_steps (operation_id, position, step_id, status, progress, messages_json, started_time, due_ms, lease_owner, lease_expires_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
  ),
  cancelOpenSteps: sql(
    'cancel-open-steps',
    `UPDATE operation_steps SET status = 'canceled', lease_owner = NULL, lease_expires_ms = NULL, due_ms = NULL
      WHERE operation_id = ? AND status IN ('notStarted', 'inProgress')`,
  ),
  startStep: sql(
    'start-step',
    "UPDATE operation_steps SET status = 'inProgress', started_time = ?, due_ms = ? WHERE operation_id = ? AND position = ? AND status = 'notStarted'",
  ),
  finishStep: sql(
    'finish-step',
    `UPDATE operation_steps SET status = ?, progress = ?, messages_json = ?, lease_owner = NULL, lease_expires_ms = NULL, due_ms = NULL
      WHERE operation_id = ? AND position = ?`,
  ),

  // ---- leases ----
  /** The step due first that nobody holds; another instance's claim skips it rather than wait. */
  dueStep: sql('due-step', `SELECT operation_id, position, step_id FROM operation_steps WHERE ${CLAIMABLE} ORDER BY due_ms LIMIT 1`, 'skip-locked'),
  takeLease: sql('take-lease', `UPDATE operation_steps SET lease_owner = ?, lease_expires_ms = ? WHERE operation_id = ? AND position = ? AND ${CLAIMABLE}`),
  heldStep: sql(
    'held-step',
    "SELECT status FROM operation_steps WHERE operation_id = ? AND position = ? AND lease_owner = ? AND status = 'inProgress'",
    'lock',
  ),
  /** When a step next becomes claimable: when it is due, or when the lease another instance holds on it expires. */
  nextDue: sql(
    'next-due',
    "SELECT MIN(CASE WHEN lease_expires_ms > due_ms THEN lease_expires_ms ELSE due_ms END) AS due FROM operation_steps WHERE status = 'inProgress'",
  ),
  /** A step put off (held by the sandbox) or let go again: due at a new time, nobody's lease. */
  rescheduleStep: sql(
    'reschedule-step',
    "UPDATE operation_steps SET due_ms = ?, lease_owner = NULL, lease_expires_ms = NULL WHERE operation_id = ? AND position = ? AND status = 'inProgress'",
  ),
  /** For the metrics: every operation by type and state, the steps due and not finished, the notifications kept. */
  operationCounts: sql('operation-counts', 'SELECT type, status, COUNT(*) AS count FROM operations GROUP BY type, status'),
  stepsWaiting: sql('steps-waiting', "SELECT COUNT(*) AS waiting, MIN(due_ms) AS oldest FROM operation_steps WHERE status = 'inProgress' AND due_ms <= ?"),
  notificationsKept: sql('notifications-kept', 'SELECT COALESCE(MAX(seq), 0) AS kept FROM notifications'),
  releaseLeases: sql('release-leases', 'UPDATE operation_steps SET lease_owner = NULL, lease_expires_ms = NULL WHERE lease_owner = ?'),
};

export interface DueStepRow {
  operation_id: string;
  position: number;
  step_id: string;
}
