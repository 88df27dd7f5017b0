// The simulated cluster's TLS material, shaped like PVE's: one cluster CA (pve-root-ca.pem) and a
// leaf per node (pve-ssl.pem) whose SANs follow pve-cluster's gen_pve_ssl_cert, so a client can
// either trust the CA or pin the leaf's SHA-256 fingerprint exactly as against a real cluster.

// @peculiar/x509 resolves its ASN.1 classes through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { X509Certificate as NodeX509Certificate, randomUUID, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface CertificateAuthority {
  certPem: string;
  /** Kept so leaves can be signed; never leaves the process. */
  keys: webcrypto.CryptoKeyPair;
  cert: x509.X509Certificate;
}

export interface NodeCertificate {
  node: string;
  address: string;
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER certificate, `AA:BB:…`, as PVE and Node's `fingerprint256` print it. */
  fingerprint: string;
}

export interface ClusterCertificates {
  caPem: string;
  nodes: Map<string, NodeCertificate>;
}

// ECDSA P-256 keeps start-up fast (milliseconds, where RSA 2048 takes a noticeable moment per node).
const KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const crypto = webcrypto;
const DAY_MS = 86_400_000;

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

function randomSerial(): string {
  // A positive 16-byte serial: the top bit cleared so DER does not read it as negative.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function toPem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The fingerprint format PVE shows (`X509_get_fingerprint(cert,'sha256')`): uppercase, colon-separated. */
export function certificateFingerprint(certPem: string): string {
  return new NodeX509Certificate(certPem).fingerprint256;
}

/** A cluster CA like /etc/pve/pve-root-ca.pem (PVE puts a random UUID in the OU). */
export async function createCertificateAuthority(): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=Proxmox Virtual Environment, OU=${randomUUID()}, O=PVE Cluster Manager CA`,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 3650 * DAY_MS),
      keys: keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), keys, cert };
}

/** A node certificate like /etc/pve/nodes/<node>/pve-ssl.pem, signed by `ca`. */
export async function createNodeCertificate(
  ca: CertificateAuthority,
  node: string,
  address: string,
): Promise<NodeCertificate> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: `CN=${node}.local, O=Proxmox Virtual Environment, OU=PVE Cluster Node`,
      issuer: ca.cert.subject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 730 * DAY_MS),
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        // The SAN list of gen_pve_ssl_cert: loopback by IP and name, then the node's own IP and name.
        new x509.SubjectAlternativeNameExtension([
          { type: 'ip', value: '127.0.0.1' },
          { type: 'ip', value: '::1' },
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: address },
          { type: 'dns', value: node },
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const certPem = cert.toString('pem');
  const keyPem = toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { node, address, certPem, keyPem, fingerprint: certificateFingerprint(certPem) };
}

/** The CA plus one leaf per node; `nodes` maps node name to its address. */
export async function createClusterCertificates(
  nodes: ReadonlyArray<{ name: string; address: string }>,
): Promise<ClusterCertificates> {
  const ca = await createCertificateAuthority();
  const leaves = await Promise.all(nodes.map((n) => createNodeCertificate(ca, n.name, n.address)));
  return { caPem: ca.certPem, nodes: new Map(leaves.map((leaf) => [leaf.node, leaf])) };
}

/**
 * A certificate for `node` from a different, unrelated CA: same names, different key and
 * fingerprint. Tests serve it to check that a client pinning the real fingerprint refuses it.
 */
export async function createImpostorCertificate(node: string, address: string): Promise<NodeCertificate> {
  return createNodeCertificate(await createCertificateAuthority(), node, address);
}
