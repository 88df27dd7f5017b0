// The anonymiser of `pve-record` on the strings real clusters put names into: UPIDs, HA status
// texts, config paths, volids, map keys, log lines. Placeholders are stable across calls.
import { describe, expect, it } from 'vitest';
import { Anonymiser } from '../../../src/proxmox/record/anonymiser.js';
import { parseJsonText, stringifyJsonText } from '../../../src/proxmox/record/json-text.js';

function anonymiser(): Anonymiser {
  const a = new Anonymiser({ tokenId: 'svc-rec@corp!audit' });
  a.learn('/nodes', parseJsonText('{"data":[{"node":"pve2"},{"node":"pve"},{"node":"pve10"}]}'));
  a.learn(
    '/cluster/status',
    parseJsonText(
      '{"data":[{"type":"cluster","name":"acme-prod"},{"type":"node","name":"pve","ip":"198.51.100.3"}]}',
    ),
  );
  a.learn(
    '/cluster/resources',
    parseJsonText(
      '{"data":[{"type":"qemu","vmid":105,"name":"billing.acme.internal","node":"pve","pool":"customer-x","tags":"prod;web"}]}',
    ),
  );
  a.learn(
    '/nodes/pve/certificates/info',
    parseJsonText('{"data":[{"subject":"/CN=pve.lab.acme.org","san":["pve.lab.acme.org","198.51.100.3"]}]}'),
  );
  return a;
}

const json = (text: string, a = anonymiser()) => JSON.parse(stringifyJsonText(a.value(parseJsonText(text))));

describe('Anonymiser', () => {
  it("replaces a certificate's organisation, unit, place and e-mail, keeping PVE's own words", () => {
    const out = json(
      '{"data":[{"subject":"C=DE, ST=Bayern, L=Munich, O=Acme Hosting GmbH, OU=Platform, CN=pve.lab.acme.org, emailAddress=ops@acme.org","issuer":"/CN=Proxmox Virtual Environment/OU=0e1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b/O=PVE Cluster Manager CA"}]}',
    );
    const { subject, issuer } = out.data[0];
    for (const word of ['DE', 'Bayern', 'Munich', 'Acme', 'Platform', 'acme', 'ops@'])
      expect(subject).not.toContain(word);
    expect(subject).toMatch(
      /^C=org\d+, ST=org\d+, L=org\d+, O=org\d+, OU=org\d+, CN=\S+\.example\.com, emailAddress=org\d+$/,
    );
    expect(issuer).toContain('/CN=Proxmox Virtual Environment/OU=');
    expect(issuer).toContain('/O=PVE Cluster Manager CA');
    expect(issuer).not.toContain('0e1a2b3c');
  });

  it('maps node names by sorted real name, as whole names only', () => {
    const a = anonymiser();
    expect(a.node('pve')).toBe('node01');
    expect(a.node('pve10')).toBe('node02');
    expect(a.node('pve2')).toBe('node03');
    expect(a.text('/nodes/pve10/qemu/100/migrate')).toBe('/nodes/node02/qemu/100/migrate');
    // pve-manager, 6.17.2-1-pve and pve-ssl.pem are not the node "pve".
    expect(a.text('pve-manager/9.1.3 on 6.17.2-1-pve')).toBe('pve-manager/9.1.3 on 6.17.2-1-pve');
    expect(a.text('pve-ssl.pem')).toBe('pve-ssl.pem');
  });

  it('rewrites UPIDs, HA texts and config paths with the same placeholders', () => {
    const a = anonymiser();
    expect(a.text('UPID:pve2:0001E2B3:02B1C7E4:68F1B5C0:qmstart:100:svc-rec@corp!audit:')).toBe(
      'UPID:node03:0001E2B3:02B1C7E4:68F1B5C0:qmstart:100:chatops@pve!bot:',
    );
    expect(a.text('UPID:pve:0001E2B3:02B1C7E4:68F1B5C0:vzdump::root@pam:')).toBe(
      'UPID:node01:0001E2B3:02B1C7E4:68F1B5C0:vzdump::root@pam:',
    );
    expect(a.text('pve2 (active, Sun Dec  6 21:18:16 2026)')).toBe(
      'node03 (active, Sun Dec  6 21:18:16 2026)',
    );
    expect(a.text('vm:105 (pve10, started)')).toBe('vm:105 (node02, started)');
    expect(a.text("unable to open file '/etc/pve/nodes/pve2/qemu-server/100.conf'")).toBe(
      "unable to open file '/etc/pve/nodes/node03/qemu-server/100.conf'",
    );
    expect(a.text('Permission check failed (/nodes/pve, Sys.Modify)')).toBe(
      'Permission check failed (/nodes/node01, Sys.Modify)',
    );
  });

  it('replaces node names used as keys and keeps every number as written', () => {
    const out = stringifyJsonText(
      anonymiser().value(
        parseJsonText(
          '{"data":{"running":0,"cpu":1.5e-05,"mem":2.0,"not_allowed_nodes":{"pve2":{"unavailable_storages":["local-lvm"]}},"allowed_nodes":["pve10"]}}',
        ),
      ),
    );
    expect(out).toContain('"cpu": 1.5e-05');
    expect(out).toContain('"mem": 2.0');
    expect(JSON.parse(out)).toEqual({
      data: {
        running: 0,
        cpu: 1.5e-5,
        mem: 2,
        not_allowed_nodes: { node03: { unavailable_storages: ['local-lvm'] } },
        allowed_nodes: ['node02'],
      },
    });
  });

  it('replaces guest, cluster, pool and tag names; keeps vmids and storage names', () => {
    expect(
      json(
        '{"data":{"vmid":105,"name":"billing.acme.internal","pool":"customer-x","tags":"prod;web","description":"Billing for ACME","volid":"ceph-vm:vm-105-disk-0"}}',
      ),
    ).toEqual({
      data: {
        vmid: 105,
        name: 'guest-105',
        pool: 'pool1',
        tags: 'tag1;tag2',
        description: 'text-1',
        volid: 'ceph-vm:vm-105-disk-0',
      },
    });
    const a = anonymiser();
    expect(a.text('/CN=Proxmox Virtual Environment/OU=acme-prod/O=PVE Cluster Manager CA')).toBe(
      '/CN=Proxmox Virtual Environment/OU=MonCluster/O=PVE Cluster Manager CA',
    );
    expect(a.text('migration of billing.acme.internal finished')).toBe('migration of guest-105 finished');
  });

  it('replaces addresses, MACs, fingerprints, keys and users stably', () => {
    const a = anonymiser();
    expect(a.text('198.51.100.3')).toBe('192.0.2.1');
    expect(a.text('ring0 198.51.100.9/24, again 198.51.100.3')).toBe('ring0 192.0.2.2/24, again 192.0.2.1');
    expect(a.text('fd00:1::20')).toBe('2001:db8::1');
    expect(a.text('127.0.0.1 ::1 21:18:16')).toBe('127.0.0.1 ::1 21:18:16');
    expect(a.text('net0: virtio=bc:24:11:aa:bb:cc,bridge=vmbr0')).toBe(
      'net0: virtio=bc:24:11:00:00:01,bridge=vmbr0',
    );
    const fp =
      '3B:F1:9E:9D:33:05:52:41:08:3A:72:12:3E:DE:15:E5:27:55:AC:23:13:53:03:7B:A4:99:F5:B0:BE:60:8B:84';
    expect(a.text(fp)).toBe(`${'AA:'.repeat(31)}01`);
    expect(a.text('-----BEGIN CERTIFICATE-----\nMIIC\nXYZ=\n-----END CERTIFICATE-----')).toBe(
      '-----BEGIN CERTIFICATE-----\nMIIBplaceholder1\n-----END CERTIFICATE-----',
    );
    expect(a.text('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0 root@pve2')).toBe(
      'ssh-ed25519 AAAAplaceholder1 root@node03',
    );
    expect(a.text('alice@ad started it, bob@pve!ci too, svc-rec@corp also')).toBe(
      'user1@pve started it, user2@pve!token1 too, chatops@pve also',
    );
    expect(a.text('pve.lab.acme.org and smtp.lab.acme.org')).toBe('node01.example.com and smtp.example.com');
    expect(
      json('{"data":[{"user":"svc-rec@corp","tokenid":"audit"},{"user":"bob@pve","tokenid":"ci"}]}', a),
    ).toEqual({
      data: [
        { user: 'chatops@pve', tokenid: 'bot' },
        { user: 'user2@pve', tokenid: 'token1' },
      ],
    });
    expect(json('{"data":{"uuid":"6f1d2c3b-1a2b-4c5d-8e9f-0123456789ab","password":"hunter2"}}', a)).toEqual({
      data: { uuid: '00000000-0000-4000-8000-000000000001', password: 'secret-1' },
    });
  });
});
