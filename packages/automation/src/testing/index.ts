export * from "./sink";
export * from "./delivery-worker";
