export const QUEUE_NAMES = ['provisioning', 'notifications', 'letters', 'reminders'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * What a job carries in Redis: only the id of its work. Whoever consumes the job reloads the work from the database
 * (persist first); the field keeps its name so jobs already waiting in Redis stay readable across an upgrade.
 */
export interface JobData {
  outboxId: string;
}
