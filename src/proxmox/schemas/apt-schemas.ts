import { z } from 'zod';

// Field names as pve-manager's Nodes/APT.pm writes them (capitalised, from the apt cache).

/** GET /nodes/{node}/apt/update: one upgradable package. */
export const pendingUpdateSchema = z.looseObject({
  Package: z.string(),
  Title: z.string().optional(),
  /** The version an upgrade installs. */
  Version: z.string(),
  /** The installed version; absent for a package an upgrade newly installs (a new kernel). */
  OldVersion: z.string().optional(),
  Origin: z.string().optional(),
  Priority: z.string().optional(),
  Section: z.string().optional(),
});
export type PendingUpdate = z.output<typeof pendingUpdateSchema>;
export const pendingUpdatesSchema = z.array(pendingUpdateSchema);

/** GET /nodes/{node}/apt/versions: an important Proxmox package. */
export const packageVersionSchema = z.looseObject({
  Package: z.string(),
  /** The candidate version (what an upgrade would install). */
  Version: z.string().optional(),
  OldVersion: z.string().optional(),
  CurrentState: z.string().optional(),
  /** Only on `proxmox-ve`: the kernel that is running. */
  RunningKernel: z.string().optional(),
  /** Only on `pve-manager`: the running manager version. */
  ManagerVersion: z.string().optional(),
});
export type PackageVersion = z.output<typeof packageVersionSchema>;
export const packageVersionsSchema = z.array(packageVersionSchema);
