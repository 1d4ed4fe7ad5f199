// --- timing + workload (H5b) ---
export type { ServiceModel } from "./timing/service-model.js";
// --- end timing + workload ---
