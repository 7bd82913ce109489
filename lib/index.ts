export * from "./image";
export * from "./image-reference";
export * from "./labels";
export * from "./network";
export * from "./secret";
export * from "./service";
export * from "./validation";
export * from "./volume";
