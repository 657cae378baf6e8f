/** Rotation at the service: services, rotators and their drivers (docs/ARCHITECTURE.md, "Core areas"): what main and the CLI use. Everything else in this folder is internal to core. */
export { resolveHookExecutable } from './command/hook-executable';
export { rotationStrategies, type CheckStep, type RotationStrategy, type ServiceKind } from './driver';
export { endpointName, type RotatorInput, type RotatorView } from './rotators';
export { registeredServiceKinds } from './service-config';
export type { RecoveryOutcome, ServiceRotationStep } from './service-rotation';
export type { ServiceSummary } from './services-registry';
export { valueFormats, type ValueFormat } from './value-codecs';
