// The table of what PVE checks for each thing the bot does (src/jobs/privileges/privilege-rules.ts)
// held against PVE's own API schema (the simulator's copy of apidoc for 9.1 and 8.4): a rule that
// says the schema checks it must be that endpoint's permission check, path and privileges alike;
// every privilege must exist in that PVE version (its Administrator role holds them all, per the
// roles fixtures); and the README shows the table as it is.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRIVILEGE_RULES, type PrivilegeRule } from '../../src/jobs/privileges/privilege-rules.js';

type Check = unknown[];
interface Schema {
  endpoints: Record<string, Record<string, { permissions?: { check?: Check; user?: string } }>>;
}

const schemas: Record<8 | 9, Schema> = {
  9: JSON.parse(readFileSync(new URL('../../src/sim/schema/pve-api-9.1.json', import.meta.url), 'utf8')),
  8: JSON.parse(readFileSync(new URL('../../src/sim/schema/pve-api-8.4.json', import.meta.url), 'utf8')),
};

function allPrivileges(major: 8 | 9): Set<string> {
  const file = new URL(`../conformance/pve/fixtures/access/roles.${major}.json`, import.meta.url);
  const roles = JSON.parse(readFileSync(file, 'utf8')).response.body.data as Array<{
    roleid: string;
    privs: string;
  }>;
  return new Set(roles.find((r) => r.roleid === 'Administrator')!.privs.split(','));
}

/** Every `perm` term of a check, through `and` and `or`: [path, privileges, any]. */
function permTerms(check: Check | undefined): Array<{ path: string; privileges: string[]; any: boolean }> {
  if (!check) return [];
  const [test, ...rest] = check;
  if (test === 'and' || test === 'or') return rest.flatMap((sub) => permTerms(sub as Check));
  if (test !== 'perm') return [];
  const [path, privileges, ...options] = rest as [string, string[], ...unknown[]];
  const anyAt = options.indexOf('any');
  return [{ path, privileges: [...privileges].sort(), any: anyAt >= 0 && Boolean(options[anyAt + 1]) }];
}

/** `POST /nodes/{node}/{type}/…` → the endpoints it stands for (qemu and lxc). */
function endpointsOf(rule: PrivilegeRule): Array<{ method: string; path: string }> {
  const [method = '', template = ''] = rule.endpoint.split(' ');
  const paths = template.includes('{type}')
    ? ['qemu', 'lxc'].map((t) => template.replace('{type}', t))
    : [template];
  return paths.map((path) => ({ method, path }));
}

const versionsOf = (rule: PrivilegeRule): Array<8 | 9> => (rule.pve ? [rule.pve] : [9, 8]);

/** The README's table, as privilege-rules.ts holds it. */
function privilegeTable(): string {
  const rows = Object.values(PRIVILEGE_RULES as Record<string, PrivilegeRule>).map((rule) => {
    const privileges = rule.privileges.map((p) => `\`${p}\``).join(rule.any ? ' or ' : ' and ');
    const version = rule.pve ? ` (PVE ${rule.pve})` : '';
    const checked = rule.checkedBy === 'schema' ? 'API schema' : "PVE's handler";
    return `| ${rule.action}${version} | ${privileges} | \`${rule.path}\` | \`${rule.endpoint}\` (${checked}) |`;
  });
  return [
    '| What the bot does | Privileges | On | PVE call (checked by) |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

describe('the privilege rules hold against PVE’s API schema', () => {
  for (const [name, rule] of Object.entries(PRIVILEGE_RULES as Record<string, PrivilegeRule>)) {
    it(`${name}: ${rule.endpoint} on ${rule.path}`, () => {
      for (const major of versionsOf(rule)) {
        for (const { method, path } of endpointsOf(rule)) {
          const info = schemas[major].endpoints[path]?.[method];
          expect(info, `${method} ${path} in the ${major} schema`).toBeDefined();
          const terms = permTerms(info?.permissions?.check);
          const ours = { path: rule.path, privileges: [...rule.privileges].sort(), any: rule.any === true };
          if (rule.checkedBy === 'schema') expect(terms, `${method} ${path} (${major})`).toContainEqual(ours);
          else {
            // A handler check is not the schema's (else it would say so), and names its source.
            expect(terms).not.toContainEqual(ours);
            expect(rule.source).toMatch(/^(qemu-server|pve-manager|pve-container|pve-access-control) /);
          }
        }
        for (const privilege of rule.privileges) expect(allPrivileges(major)).toContain(privilege);
      }
    });
  }

  it('the README shows the table as it is', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    // Cell by cell: the formatter pads the README's columns.
    const rows = (text: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
        .map((line) =>
          line
            .split('|')
            .map((cell) => cell.trim())
            .join('|'),
        );
    const table = rows(privilegeTable());
    const start = rows(readme).indexOf(table[0]!);
    expect(start, 'the table header in the README').toBeGreaterThanOrEqual(0);
    expect(rows(readme).slice(start, start + table.length)).toEqual(table);
  });
});
