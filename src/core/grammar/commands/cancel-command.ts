import { defineCommand } from '../define-command.js';
import { jobId } from '../value-schemas.js';

export const cancelCommand = defineCommand({
  name: 'cancel',
  summary: 'Cancel a job (stops its Proxmox task)',
  positionals: [{ name: 'job', schema: jobId(), description: 'the job id (from `jobs` or the job message)' }],
  risk: 'read',
  examples: ['cancel 42', 'cancel migrate-7f3a'],
});
