import { z } from "zod";

/**
 * What a message holds beyond its text, typed per kind: filled by the channel parsers from the
 * provider's payload, stored on the message (`messages.content`), returned by the messages API and
 * carried by `message.ingested`. A public contract like the event catalog: fields are only added.
 * `null` for plain text (the body says it all) and for kinds Alfred does not understand yet.
 */

/** No length limits: a provider decides those, and a limit here would refuse a message at intake. */
const text = () => z.string();

/**
 * A photo, voice note, video, file or sticker. `media_id` is the provider's id to download it with
 * (WhatsApp media id); Messenger and Instagram give a download `url` instead, so their `media_id`
 * is null. Download and storage build on this (they add `sha256` etc. once they keep a copy).
 */
export const mediaContentSchema = z.object({
  kind: z.literal("media"),
  media_type: z.enum(["image", "audio", "video", "document", "sticker", "file"]),
  media_id: text().nullable(),
  url: text().optional(),
  mime_type: text().optional(),
  caption: text().optional(),
  sha256: text().optional(),
  filename: text().optional(),
  /** WhatsApp: a voice note recorded in the app (as opposed to an audio file). */
  voice: z.boolean().optional(),
  /** WhatsApp stickers: animated or not. */
  animated: z.boolean().optional(),
});

/** A reaction to an earlier message: `emoji` null and `action: "unreact"` when it was removed. */
export const reactionContentSchema = z.object({
  kind: z.literal("reaction"),
  action: z.enum(["react", "unreact"]),
  emoji: text().nullable(),
  /** The provider id of the message reacted to (the `external_id` of an Alfred message). */
  reacted_message_external_id: text(),
});

export const locationContentSchema = z.object({
  kind: z.literal("location"),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: text().nullable(),
  address: text().nullable(),
  url: text().nullable(),
});

/** An Instagram story the customer mentioned the business in; `url` is the story's CDN address. */
export const storyMentionContentSchema = z.object({
  kind: z.literal("story_mention"),
  url: text(),
});

/** A tap on a reply button or a list row the business sent (WhatsApp interactive / button messages). */
export const interactiveReplyContentSchema = z.object({
  kind: z.literal("interactive_reply"),
  reply_type: z.enum(["button_reply", "list_reply", "quick_reply"]),
  /** The id the business gave the button or row; null for template quick replies, which have none. */
  id: text().nullable(),
  title: text(),
  description: text().optional(),
  /** Template quick replies carry the business's payload instead of an id. */
  payload: text().optional(),
});

/** A Messenger / Instagram postback: a tap on a button, the Get Started button or an ice breaker. */
export const postbackContentSchema = z.object({
  kind: z.literal("postback"),
  title: text(),
  payload: text().nullable(),
});

export const messageContentSchema = z.discriminatedUnion("kind", [
  mediaContentSchema,
  reactionContentSchema,
  locationContentSchema,
  storyMentionContentSchema,
  interactiveReplyContentSchema,
  postbackContentSchema,
]);

export type MessageContent = z.infer<typeof messageContentSchema>;
export type MediaContent = z.infer<typeof mediaContentSchema>;
export const MESSAGE_CONTENT_KINDS = ["media", "reaction", "location", "story_mention", "interactive_reply", "postback"] as const;
