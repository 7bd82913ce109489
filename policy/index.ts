export * from "./facts";
export * from "./pack";
export * from "./report";
export * from "./rule";
export * from "./rules";
export * from "./suppressions";
export * from "./workload";
