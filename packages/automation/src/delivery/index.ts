export { claimDueDeliveries, DUE_TOLERANCE_MS, type ClaimedDelivery, type ClaimOptions } from "./claim";
export { sendAttempt, classifySendError, signDelivery, createDeliveryDispatcher, WEBHOOK_FORMAT_VERSION, RESPONSE_SNIPPET_BYTES, type AttemptResult, type AttemptErrorClass, type SignedRequest } from "./send";
export { decideAfterAttempt, type AttemptDecision } from "./policy";
export { recordAttempts, type AttemptOutcome, type RecordedOutcome } from "./record";
export { DeliveryEngine, DEFAULT_ENGINE_OPTIONS, newWorkerId, LEASE_MARGIN_MS, leaseMs, type DeliveryEngineOptions, type DeliveryEngineDeps } from "./engine";
export { LEASE_HEARTBEAT, beatWorker, forgetWorker, pruneWorkerHeartbeats } from "./heartbeat";
