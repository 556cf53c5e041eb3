/**
 * Work that must happen only after a transaction commits: enqueue delivery and channel-send jobs,
 * and tell open inboxes that something changed. Services append to it inside the transaction; the
 * caller flushes it after commit (see `Producer.flush`). Losing it (crash, Redis down) loses nothing:
 * the rows are committed and the reconciler re-enqueues pending work.
 */
export interface LiveEvent {
  tenantId: string;
  /** conversation.changed, message.created, message.status, comment.created, task.changed, notification.created */
  kind: string;
  conversationId?: string | null;
  messageId?: string | null;
  data?: Record<string, unknown>;
}

export class PostCommitEffects {
  readonly deliveries: { deliveryId: string; tenantId: string }[] = [];
  readonly channelSends: { messageId: string; tenantId: string }[] = [];
  readonly live: LiveEvent[] = [];
  /** Inbound messages to classify (intent, sentiment, language) in the worker, off the ingest path. */
  readonly classifications: { messageId: string; tenantId: string }[] = [];
  /** Events recorded: the rule engines are woken to evaluate them. */
  events = 0;

  get isEmpty(): boolean {
    return this.deliveries.length === 0 && this.channelSends.length === 0 && this.live.length === 0 && this.classifications.length === 0 && this.events === 0;
  }

  /** Takes over another set's work (a savepoint's, a batch's), after it committed. */
  absorb(other: PostCommitEffects): void {
    this.deliveries.push(...other.deliveries);
    this.channelSends.push(...other.channelSends);
    this.live.push(...other.live);
    this.classifications.push(...other.classifications);
    this.events += other.events;
  }
}
