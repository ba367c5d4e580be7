import { MeshError } from '../../errors.js';
import { isJsonObject, parseJsonObject, requiredString, toJsonBytes, type JsonObject } from '../json.js';

/**
 * PROTOCOL §11.6: mode × type choose the push command (BROADCASTING → broadcast,
 * CLUSTERING+SYNC → request, CLUSTERING+ASYNC → async). Java's mode enum also has
 * `UNRECOGNIZED`, which selects no push command; it is refused here as a bad body.
 */
export const SUBSCRIPTION_MODES = ['CLUSTERING', 'BROADCASTING'] as const;
export const SUBSCRIPTION_TYPES = ['ASYNC', 'SYNC'] as const;

export type SubscriptionMode = (typeof SUBSCRIPTION_MODES)[number];
export type SubscriptionType = (typeof SUBSCRIPTION_TYPES)[number];

export interface SubscriptionItem {
  readonly topic: string;
  readonly mode: SubscriptionMode;
  readonly type: SubscriptionType;
}

/** PROTOCOL §11.6: the SUBSCRIBE_REQUEST body (the Java SDK sends one item per request). */
export interface SubscriptionBody {
  readonly topicList: readonly SubscriptionItem[];
}

const BAD_BODY = 'ERR_MESH_WIRE_BAD_BODY';
const WHAT = 'Subscription';

export function encodeSubscription(subscription: SubscriptionBody): Buffer {
  if (!Array.isArray(subscription.topicList)) throw new MeshError(BAD_BODY, `${WHAT}.topicList must be an array`);
  // Rebuilt field by field so the key order is Java's `topic, mode, type` (PROTOCOL §11.6).
  const topicList = subscription.topicList.map((item) => checkItem(item as unknown as JsonObject));
  return toJsonBytes({ topicList: topicList.map(({ topic, mode, type }) => ({ topic, mode, type })) });
}

export function decodeSubscription(body: Uint8Array | undefined): SubscriptionBody {
  if (body === undefined || body.length === 0) throw new MeshError(BAD_BODY, `${WHAT} body is missing`);
  const obj = parseJsonObject(body, BAD_BODY, WHAT);
  const list = obj['topicList'];
  if (!Array.isArray(list)) throw new MeshError(BAD_BODY, `${WHAT}.topicList must be an array`);
  return { topicList: list.map((item) => checkItem(item)) };
}

function checkItem(item: unknown): SubscriptionItem {
  if (!isJsonObject(item)) throw new MeshError(BAD_BODY, `${WHAT} item must be an object`);
  const topic = requiredString(item, 'topic', BAD_BODY, WHAT);
  // PROTOCOL §11.6: converted by exact, case-sensitive name lookup; a bad value fails the decode.
  const mode = requiredString(item, 'mode', BAD_BODY, WHAT);
  const type = requiredString(item, 'type', BAD_BODY, WHAT);
  if (!isOneOf(SUBSCRIPTION_MODES, mode)) throw new MeshError(BAD_BODY, `${WHAT} mode ${JSON.stringify(mode)} is unknown`);
  if (!isOneOf(SUBSCRIPTION_TYPES, type)) throw new MeshError(BAD_BODY, `${WHAT} type ${JSON.stringify(type)} is unknown`);
  return { topic, mode, type };
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
