import { z } from "zod";

/**
 * Mailgun's documented maximum message size is 25 MB. Its inbound route posts the decoded
 * attachments plus the text parts, some of them twice (`body-plain` and `stripped-text`, `body-html`
 * and `stripped-html`), so the post of a maximal e-mail can be larger than the e-mail itself.
 */
export const MAILGUN_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
/** Largest inbound e-mail post accepted (streamed, never buffered whole). */
export const MAX_EMAIL_POST_BYTES = 2 * MAILGUN_MAX_MESSAGE_BYTES;
/** Largest single attachment. */
export const MAX_EMAIL_ATTACHMENT_BYTES = MAILGUN_MAX_MESSAGE_BYTES;
/** All text fields of one post together (kept on the receipt). */
export const MAX_EMAIL_TEXT_BYTES = MAILGUN_MAX_MESSAGE_BYTES;
/** Attachments per e-mail. */
export const MAX_EMAIL_ATTACHMENTS = 100;

/**
 * The field Alfred adds to a stored e-mail receipt: the attachments the webhook put in blob storage.
 * A posted field of this name is dropped (only Alfred writes it).
 */
export const STORED_ATTACHMENTS_FIELD = "alfred-stored-attachments";

export const storedAttachmentSchema = z.object({
  field: z.string(),
  storage_key: z.string(),
  filename: z.string().nullable(),
  content_type: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type StoredEmailAttachment = z.infer<typeof storedAttachmentSchema>;
