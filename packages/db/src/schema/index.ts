export * from "./identity";
export * from "./crm";
export * from "./automation";
export * from "./intelligence";
export * from "./operations";
export * from "./intake";
