export {
  approvalRuleFor,
  describeApprovers,
  mayApprove,
  mayCancel,
  mayRun,
  mayView,
  type PolicyDecision,
  resolveCommandRule,
  rolesOf,
} from './check-policy.js';
export { defaultPolicy } from './default-policy.js';
export { loadPolicy, parsePolicy } from './load-policy.js';
export { PolicyError } from './policy-error.js';
export { parseDuration } from './policy-schema.js';
export * from './policy-types.js';
