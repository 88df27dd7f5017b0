import { z } from 'zod';
import { pveInt } from './pve-values.js';

/**
 * GET /nodes/{node}/certificates/info: one entry per certificate file of the node
 * (`pve-root-ca.pem`, `pve-ssl.pem`, and `pveproxy-ssl.pem` when a custom or ACME one is set).
 */
export const certificateInfoSchema = z.looseObject({
  filename: z.string().optional(),
  fingerprint: z.string().optional(),
  subject: z.string().optional(),
  issuer: z.string().optional(),
  notbefore: pveInt.optional(),
  /** Epoch seconds after which the certificate is no longer valid. */
  notafter: pveInt.optional(),
  san: z.array(z.string()).optional(),
});
export type CertificateInfo = z.output<typeof certificateInfoSchema>;
export const certificateInfosSchema = z.array(certificateInfoSchema);
