export { RECEIPT_LANES, receiptLane } from "./lanes";
export { storeReceipts, dueReceiptLanes, defaultDedupeKey, type ReceiptDraft, type StoredReceipts } from "./store";
export { drainReceiptLane, DEFAULT_RECEIPT_SETTINGS, type LaneDrain, type ReceiptProcessingSettings } from "./process";
export { drainDueReceipts } from "./drain";
export { listReceipts, receiptCounts, retryParkedReceipt, pruneProcessedReceipts, type ReceiptView, type ReceiptStatus } from "./admin";
export { ReceiptEngine, DEFAULT_RECEIPT_ENGINE_OPTIONS, type ReceiptEngineOptions, type ReceiptStats } from "./engine";
